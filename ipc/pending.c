#include "ipc/pending.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/xmalloc.h"
#include "ipc/linebuf.h"

static struct ag_pending tombstone_entry;
#define TOMBSTONE (&tombstone_entry)

void
ag_pending_init(struct ag_pending_table *t)
{
	memset(t, 0, sizeof *t);
}

static void
pending_free_entry(struct ag_pending *p)
{
	ag_request_free(&p->req);
	ag_assessment_clear(&p->assessment);
	cJSON_Delete(p->review);
	free(p->risk_text);
	ag_shared_text_unref(&p->request_text);
	free(p);
}

void
ag_pending_free(struct ag_pending_table *t)
{
	struct ag_pending *p = t->head;
	while (p != NULL) {
		struct ag_pending *next = p->next;
		pending_free_entry(p);
		p = next;
	}
	free(t->slots);
	ag_pending_init(t);
}

/* FNV-1a: ids are short, and not chosen to collide by anyone but the
 * connected user's own agents. */
static void
table_insert_slot(struct ag_pending_table *t, struct ag_pending *p)
{
	size_t mask = t->nslots - 1;
	size_t i = ag_hash_str(p->req->id) & mask;
	while (t->slots[i] != NULL && t->slots[i] != TOMBSTONE)
		i = (i + 1) & mask;
	if (t->slots[i] == NULL)
		t->used++;
	t->slots[i] = p;
}

static void
table_grow(struct ag_pending_table *t)
{
	size_t n = t->nslots ? t->nslots : 64;
	while (n < (t->count + 1) * 2)
		n *= 2;
	free(t->slots);
	t->slots = xcalloc(n, sizeof *t->slots);
	t->nslots = n;
	t->used = 0;
	for (struct ag_pending *p = t->head; p != NULL; p = p->next)
		table_insert_slot(t, p);
}

struct ag_pending *
ag_pending_find(const struct ag_pending_table *t, const char *id)
{
	if (t->nslots == 0)
		return NULL;
	size_t mask = t->nslots - 1;
	for (size_t i = ag_hash_str(id) & mask;; i = (i + 1) & mask) {
		struct ag_pending *p = t->slots[i];
		if (p == NULL)
			return NULL;
		if (p != TOMBSTONE && strcmp(p->req->id, id) == 0)
			return p;
	}
}

void
ag_pending_add(struct ag_pending_table *t, struct ag_pending *p)
{
	p->prev = t->tail;
	p->next = NULL;
	if (t->tail)
		t->tail->next = p;
	else
		t->head = p;
	t->tail = p;
	t->count++;
	/* Keep the load (live + tombstones) under 3/4. */
	if ((t->used + 1) * 4 >= t->nslots * 3)
		table_grow(t);
	else
		table_insert_slot(t, p);
}

void
ag_pending_remove(struct ag_pending_table *t, struct ag_pending *p)
{
	size_t mask = t->nslots - 1;
	for (size_t i = ag_hash_str(p->req->id) & mask;; i = (i + 1) & mask) {
		if (t->slots[i] == p) {
			t->slots[i] = TOMBSTONE;
			break;
		}
	}
	if (p->prev)
		p->prev->next = p->next;
	else
		t->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		t->tail = p->prev;
	t->count--;
	pending_free_entry(p);
}
