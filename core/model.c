#include "core/model.h"

#include <string.h>

#define AG_NAME(name, str) str,
static const char *const kind_names[] = {AG_KINDS(AG_NAME)};
static const char *const decision_names[] = {AG_DECISIONS(AG_NAME)};
static const char *const decider_names[] = {AG_DECIDERS(AG_NAME)};
static const char *const level_names[] = {AG_LEVELS(AG_NAME)};
static const char *const category_names[] = {AG_CATEGORIES(AG_NAME)};
#undef AG_NAME

static int
lookup(const char *const *names, int count, const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static const char *
name_of(const char *const *names, int count, int value)
{
	return value >= 0 && value < count ? names[value] : "?";
}

const char *
ag_kind_name(enum ag_kind kind)
{
	return name_of(kind_names, AG_KIND_COUNT, kind);
}

int
ag_kind_parse(const char *name)
{
	return lookup(kind_names, AG_KIND_COUNT, name);
}

const char *
ag_decision_name(enum ag_decision decision)
{
	return name_of(decision_names, AG_DECISION_COUNT, decision);
}

int
ag_decision_parse(const char *name)
{
	return lookup(decision_names, AG_DECISION_COUNT, name);
}

const char *
ag_decider_name(enum ag_decider by)
{
	return name_of(decider_names, AG_BY_COUNT, by);
}

int
ag_decider_parse(const char *name)
{
	return lookup(decider_names, AG_BY_COUNT, name);
}

const char *
ag_level_name(enum ag_level level)
{
	return name_of(level_names, AG_LEVEL_COUNT, level);
}

int
ag_level_parse(const char *name)
{
	return lookup(level_names, AG_LEVEL_COUNT, name);
}

const char *
ag_category_name(enum ag_category_bit bit)
{
	return name_of(category_names, AG_CATEGORY_COUNT, bit);
}

int
ag_category_parse(const char *name)
{
	return lookup(category_names, AG_CATEGORY_COUNT, name);
}

int
ag_decision_is_approval(enum ag_decision decision)
{
	return decision == AG_DECISION_APPROVE || decision == AG_DECISION_APPROVE_SESSION;
}
