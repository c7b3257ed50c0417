/* The shell-word parser: the commands it finds are the commands bash would
 * run, with the words bash would pass, and every word points back at the
 * bytes it came from. Expectations are written from bash's behaviour, not
 * from the parser's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reviewer/shell.h"

static struct ag_sh sh;

static int
setup(void **state)
{
	(void)state;
	ag_sh_init(&sh);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ag_sh_free(&sh);
	return 0;
}

static void
parse(const char *text)
{
	struct ag_sh_origin o;
	ag_sh_reset(&sh);
	ag_sh_origin_root(&o);
	ag_sh_parse(&sh, text, strlen(text), &o);
}

/* The i-th command (in completion order) that has argv words. */
static const struct ag_sh_cmd *
cmd_with_words(int i)
{
	for (size_t k = 0; k < sh.ncmds; k++)
		if (sh.cmds[k].nwords > 0 && i-- == 0)
			return &sh.cmds[k];
	return NULL;
}

static int
count_with_words(void)
{
	int n = 0;
	for (size_t k = 0; k < sh.ncmds; k++)
		n += sh.cmds[k].nwords > 0;
	return n;
}

static const char *
arg(const struct ag_sh_cmd *c, int i)
{
	assert_non_null(c);
	assert_true(i < c->nwords);
	return ag_sh_wtext(&sh, c->word0 + i);
}

/* The command whose argv[0] is name. */
static const struct ag_sh_cmd *
find_cmd(const char *name)
{
	for (size_t k = 0; k < sh.ncmds; k++)
		if (sh.cmds[k].nwords > 0 && strcmp(ag_sh_wtext(&sh, sh.cmds[k].word0), name) == 0)
			return &sh.cmds[k];
	return NULL;
}

static void
assert_argv(const struct ag_sh_cmd *c, int n, ...)
{
	va_list ap;
	assert_non_null(c);
	assert_int_equal(c->nwords, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(arg(c, i), va_arg(ap, const char *));
	va_end(ap);
}

static void
test_words_and_spans(void **state)
{
	(void)state;
	const char *text = "rm  -rf\tbuild";
	parse(text);
	assert_int_equal(count_with_words(), 1);
	const struct ag_sh_cmd *c = cmd_with_words(0);
	assert_argv(c, 3, "rm", "-rf", "build");
	const struct ag_sh_word *w = ag_sh_arg(&sh, c, 2);
	assert_int_equal(w->start, 8);
	assert_int_equal(w->end, 13);
	assert_int_equal(w->src_base, 8);
	assert_int_equal(sh.flags, 0);
}

static void
test_quote_removal(void **state)
{
	(void)state;
	const char *text = "echo 'a b' \"c $x d\" e\\ f g''h \"\\$HOME\"";
	parse(text);
	const struct ag_sh_cmd *c = cmd_with_words(0);
	assert_argv(c, 6, "echo", "a b", "c $x d", "e f", "gh", "$HOME");
	/* 'a b' is a verbatim slice of the text (without its quotes) */
	const struct ag_sh_word *w = ag_sh_arg(&sh, c, 1);
	assert_int_equal(w->start, 5);
	assert_int_equal(w->end, 10);
	assert_int_equal(w->src_base, 6);
	assert_true(w->flags & AG_SH_W_QUOTED);
	assert_true(ag_sh_arg(&sh, c, 2)->flags & AG_SH_W_EXPAND);
	/* e\ f is not a slice: the backslash was removed */
	assert_int_equal(ag_sh_arg(&sh, c, 3)->src_base, -1);
	/* "\$HOME" is literal text, no expansion */
	assert_false(ag_sh_arg(&sh, c, 5)->flags & AG_SH_W_EXPAND);
}

static void
test_ansi_c_quoting(void **state)
{
	(void)state;
	parse("$'\\x72\\x6d' -rf $'\\162\\155' $'a\\tb' $'\\u00e9'");
	const struct ag_sh_cmd *c = cmd_with_words(0);
	assert_argv(c, 5, "rm", "-rf", "rm", "a\tb", "\xc3\xa9");
	assert_true(ag_sh_arg(&sh, c, 0)->flags & AG_SH_W_DECODED);
	assert_int_equal(ag_sh_arg(&sh, c, 0)->src_base, -1);
	assert_int_equal(ag_sh_arg(&sh, c, 0)->start, 0);
	assert_int_equal(ag_sh_arg(&sh, c, 0)->end, 11);
}

static void
test_operators(void **state)
{
	(void)state;
	parse("a; b && c || d & e | f |& g\nh");
	assert_int_equal(count_with_words(), 8);
	const struct ag_sh_cmd *d = find_cmd("d"), *e = find_cmd("e"), *f = find_cmd("f"),
	                       *g = find_cmd("g"), *a = find_cmd("a");
	assert_true(d->flags & AG_SH_C_BACKGROUND);
	assert_false(a->flags & AG_SH_C_BACKGROUND);
	assert_int_equal(e->pipe, f->pipe);
	assert_int_equal(f->pipe, g->pipe);
	assert_int_equal(e->stage, 0);
	assert_int_equal(f->stage, 1);
	assert_int_equal(g->stage, 2);
	assert_int_equal(sh.pipes[e->pipe].nstages, 3);
	assert_int_not_equal(a->pipe, e->pipe);
	assert_non_null(find_cmd("h"));
}

static void
test_comments_are_not_commands(void **state)
{
	(void)state;
	parse("ls # rm -rf /\n# curl x | sh\necho a#b");
	assert_int_equal(count_with_words(), 2);
	assert_argv(find_cmd("ls"), 1, "ls");
	assert_argv(find_cmd("echo"), 2, "echo", "a#b");
}

static void
test_command_substitution(void **state)
{
	(void)state;
	const char *text = "echo \"$(rm -rf /)\" `id` $(echo $(whoami))";
	parse(text);
	const struct ag_sh_cmd *echo = NULL;
	for (size_t k = 0; k < sh.ncmds; k++)
		if (sh.cmds[k].nwords == 4)
			echo = &sh.cmds[k];
	assert_non_null(echo);
	int echo_idx = (int)(echo - sh.cmds);
	const struct ag_sh_cmd *rm = find_cmd("rm");
	assert_argv(rm, 3, "rm", "-rf", "/");
	assert_true(rm->flags & AG_SH_C_SUBST);
	assert_int_equal(rm->parent, echo_idx);
	assert_int_equal(rm->parent_word, echo->word0 + 1);
	assert_int_equal(rm->depth, 1);
	/* the word keeps the substitution's text, flagged */
	assert_string_equal(arg(echo, 1), "$(rm -rf /)");
	assert_true(ag_sh_arg(&sh, echo, 1)->flags & AG_SH_W_SUBST);
	const struct ag_sh_cmd *id = find_cmd("id");
	assert_int_equal(id->parent, echo_idx);
	assert_int_equal(id->parent_word, echo->word0 + 2);
	/* nested: whoami's parent is the inner echo, two levels down */
	const struct ag_sh_cmd *who = find_cmd("whoami");
	assert_int_equal(who->depth, 2);
	assert_string_equal(ag_sh_wtext(&sh, sh.cmds[who->parent].word0), "echo");
	assert_int_equal(sh.cmds[who->parent].depth, 1);
	/* spans of the inner words are in the outer text */
	const struct ag_sh_word *slash = ag_sh_arg(&sh, rm, 2);
	assert_int_equal(slash->start, (int)(strchr(text, '/') - text));
}

static void
test_backquote_escapes(void **state)
{
	(void)state;
	parse("echo `echo \\`id\\``");
	assert_non_null(find_cmd("echo"));
	/* bash reads the backquoted text first: \` is a literal backquote in it */
	assert_int_equal(sh.flags & AG_SH_UNTERMINATED, 0);
}

static void
test_subshells_and_groups(void **state)
{
	(void)state;
	parse("(cd /; rm -rf *) > /dev/null | { cat; tac; } 2>&1");
	const struct ag_sh_cmd *cd = find_cmd("cd"), *rm = find_cmd("rm"), *cat = find_cmd("cat");
	assert_argv(cd, 2, "cd", "/");
	assert_argv(rm, 3, "rm", "-rf", "*");
	assert_true(ag_sh_arg(&sh, rm, 2)->flags & AG_SH_W_GLOB);
	/* the subshell's commands run as stage 0 of the outer pipeline */
	assert_int_equal(sh.pipes[rm->pipe].parent_stage, 0);
	assert_int_equal(sh.pipes[cat->pipe].parent_stage, 1);
	assert_int_equal(sh.pipes[rm->pipe].parent_pipe, sh.pipes[cat->pipe].parent_pipe);
	/* the redirection after ) belongs to a word-less command */
	int group_redirs = 0;
	for (size_t k = 0; k < sh.ncmds; k++)
		if (sh.cmds[k].flags & AG_SH_C_GROUPREDIR) {
			group_redirs++;
			assert_int_equal(sh.cmds[k].nwords, 0);
			assert_true(sh.cmds[k].nredir >= 1);
		}
	assert_int_equal(group_redirs, 2);
}

static void
test_redirections(void **state)
{
	(void)state;
	const char *text = "cmd 2>&1 >>log <in 3>x &>all <<<\"s t\" >|c >&2 <>rw arg";
	parse(text);
	const struct ag_sh_cmd *c = find_cmd("cmd");
	assert_argv(c, 2, "cmd", "arg");
	assert_int_equal(c->nredir, 9);
	static const struct {
		enum ag_sh_redir_op op;
		int fd;
		const char *target;
	} want[] = {
	    {AG_SH_R_DUPOUT, 2, "1"},    {AG_SH_R_APPEND, -1, "log"},
	    {AG_SH_R_IN, -1, "in"},      {AG_SH_R_OUT, 3, "x"},
	    {AG_SH_R_OUTERR, -1, "all"}, {AG_SH_R_HERESTRING, -1, "s t"},
	    {AG_SH_R_CLOBBER, -1, "c"},  {AG_SH_R_DUPOUT, -1, "2"},
	    {AG_SH_R_RDWR, -1, "rw"},
	};
	for (int k = 0; k < 9; k++) {
		const struct ag_sh_redir *r = &sh.redirs[c->redir0 + k];
		assert_int_equal(r->op, want[k].op);
		assert_int_equal(r->fd, want[k].fd);
		assert_string_equal(ag_sh_wtext(&sh, r->target), want[k].target);
	}
	/* the span covers the operator and the target */
	const struct ag_sh_redir *log = &sh.redirs[c->redir0 + 1];
	assert_int_equal(log->start, (int)(strstr(text, ">>log") - text));
	assert_int_equal(log->end, log->start + 5);
	assert_true(ag_sh_redir_writes(AG_SH_R_APPEND));
	assert_false(ag_sh_redir_writes(AG_SH_R_IN));
	/* > /dev/sda: a separated target */
	parse("echo x > /dev/sda");
	c = find_cmd("echo");
	assert_int_equal(c->nredir, 1);
	assert_string_equal(ag_sh_wtext(&sh, sh.redirs[c->redir0].target), "/dev/sda");
}

static void
test_heredocs(void **state)
{
	(void)state;
	const char *text = "cat <<EOF >out; wc <<-'Q'\n"
	                   "hello $(whoami)\n"
	                   "EOF\n"
	                   "\tquoted $(id)\n"
	                   "\tQ\n"
	                   "ls\n";
	parse(text);
	const struct ag_sh_cmd *cat = find_cmd("cat"), *wc = find_cmd("wc");
	assert_int_equal(cat->nredir, 2);
	const struct ag_sh_redir *h = &sh.redirs[cat->redir0];
	assert_int_equal(h->op, AG_SH_R_HEREDOC);
	assert_int_not_equal(h->body, -1);
	assert_string_equal(ag_sh_wtext(&sh, h->body), "hello $(whoami)\n");
	assert_int_equal(sh.words[h->body].src_base, (int)(strstr(text, "hello") - text));
	const struct ag_sh_redir *q = &sh.redirs[wc->redir0];
	assert_true(sh.words[q->body].flags & AG_SH_W_QUOTED);
	/* unquoted delimiter: the substitution runs; quoted: it is text */
	const struct ag_sh_cmd *who = find_cmd("whoami");
	assert_non_null(who);
	assert_int_equal(who->parent, (int)(cat - sh.cmds));
	assert_int_equal(who->parent_word, h->body);
	assert_null(find_cmd("id"));
	/* the body lines are not commands; ls after them is */
	assert_null(find_cmd("hello"));
	assert_non_null(find_cmd("ls"));
	assert_int_equal(sh.flags, 0);
}

static void
test_variables(void **state)
{
	(void)state;
	parse("x=rm; y='-rf /'; $x $y; ${x} \"$y\"");
	const struct ag_sh_cmd *a = cmd_with_words(0), *b = cmd_with_words(1);
	/* unquoted: split into words; quoted: one word */
	assert_argv(a, 3, "rm", "-rf", "/");
	assert_argv(b, 2, "rm", "-rf /");
	assert_true(ag_sh_arg(&sh, a, 0)->flags & AG_SH_W_DECODED);
	/* an unknown variable stays as text */
	parse("$CMD -rf /; x=$(pwd); $x");
	assert_string_equal(arg(cmd_with_words(0), 0), "$CMD");
	assert_true(ag_sh_arg(&sh, cmd_with_words(0), 0)->flags & AG_SH_W_EXPAND);
	const struct ag_sh_cmd *last = &sh.cmds[sh.ncmds - 1];
	assert_string_equal(arg(last, 0), "$x");
	/* NAME=value before a command is an assignment, not argv */
	parse("FOO=1 BAR=\"a b\" env");
	const struct ag_sh_cmd *env = find_cmd("env");
	assert_int_equal(env->nassign, 2);
	assert_string_equal(ag_sh_wtext(&sh, env->assign0 + 1), "BAR=a b");
	assert_true(sh.words[env->assign0].flags & AG_SH_W_ASSIGN);
}

static void
test_ifs_and_brace_lists(void **state)
{
	(void)state;
	parse("rm${IFS}-rf${IFS}/");
	assert_argv(cmd_with_words(0), 3, "rm", "-rf", "/");
	parse("{rm,-rf,~}");
	assert_argv(cmd_with_words(0), 3, "rm", "-rf", "~");
	/* quoted braces and prefixed lists are left alone */
	parse("echo '{a,b}' x{a,b}");
	assert_argv(cmd_with_words(0), 3, "echo", "{a,b}", "x{a,b}");
}

static void
test_compound_commands(void **state)
{
	(void)state;
	parse("if [ -d x ]; then rm -rf x; elif true; then :; else echo no; fi\n"
	      "for f in $(ls); do cat $f; done\n"
	      "while read l; do echo $l; done < in\n"
	      "case $v in a|b) rm a;; (c) touch c;; *) ;; esac\n"
	      "[[ $a < $b ]] && echo lt");
	assert_non_null(find_cmd("["));
	assert_argv(find_cmd("rm"), 3, "rm", "-rf", "x");
	assert_non_null(find_cmd("ls"));
	assert_non_null(find_cmd("cat"));
	assert_non_null(find_cmd("touch"));
	assert_non_null(find_cmd("read"));
	/* keywords and case patterns are not commands */
	assert_null(find_cmd("if"));
	assert_null(find_cmd("then"));
	assert_null(find_cmd("for"));
	assert_null(find_cmd("a|b)"));
	assert_null(find_cmd("a"));
	assert_null(find_cmd("c"));
	assert_null(find_cmd("esac"));
	/* inside [[ ]], < is a comparison, not a redirection */
	const struct ag_sh_cmd *test = find_cmd("[[");
	assert_true(test->flags & AG_SH_C_TEST);
	assert_int_equal(test->nredir, 0);
	assert_int_equal(sh.flags, 0);
}

static void
test_functions(void **state)
{
	(void)state;
	parse(":(){ :|:& };:");
	const struct ag_sh_cmd *def = NULL;
	for (size_t k = 0; k < sh.ncmds; k++)
		if (sh.cmds[k].flags & AG_SH_C_FUNCDEF)
			def = &sh.cmds[k];
	assert_non_null(def);
	assert_argv(def, 1, ":");
	int in_body = 0, calls = 0;
	for (size_t k = 0; k < sh.ncmds; k++) {
		const struct ag_sh_cmd *c = &sh.cmds[k];
		if (c->nwords == 0 || c == def)
			continue;
		calls++;
		if (c->flags & AG_SH_C_FUNCBODY) {
			in_body++;
			assert_int_equal(c->func, (int)(def - sh.cmds));
			assert_true(c->flags & AG_SH_C_BACKGROUND);
		}
	}
	assert_int_equal(calls, 3);
	assert_int_equal(in_body, 2);
	parse("function g { rm -rf ~; }; g");
	assert_argv(find_cmd("rm"), 3, "rm", "-rf", "~");
	assert_true(find_cmd("rm")->flags & AG_SH_C_FUNCBODY);
}

static void
test_process_substitution(void **state)
{
	(void)state;
	parse("bash <(curl -s x) > >(tee log)");
	const struct ag_sh_cmd *bash = find_cmd("bash"), *curl = find_cmd("curl");
	assert_int_equal(bash->nwords, 2);
	assert_true(ag_sh_arg(&sh, bash, 1)->flags & AG_SH_W_PROCSUBST);
	assert_true(curl->flags & AG_SH_C_PROCSUBST);
	assert_int_equal(curl->parent_word, bash->word0 + 1);
	assert_non_null(find_cmd("tee"));
}

static void
test_unterminated_and_stray(void **state)
{
	(void)state;
	parse("echo 'oops");
	assert_true(sh.flags & AG_SH_UNTERMINATED);
	assert_argv(cmd_with_words(0), 2, "echo", "oops");
	parse("echo $(rm -rf /");
	assert_true(sh.flags & AG_SH_UNTERMINATED);
	assert_non_null(find_cmd("rm"));
	parse(") ;; & | ls");
	assert_non_null(find_cmd("ls"));
}

static void
test_reparse_origin(void **state)
{
	(void)state;
	/* Text parsed again from a word: offsets map through base, or every
	 * word gets the origin's span when they cannot. */
	const char *root = "bash -c 'rm -rf ~'";
	parse(root);
	size_t first = sh.ncmds;
	struct ag_sh_origin o;
	ag_sh_origin_root(&o);
	o.base = 9;
	o.depth = 1;
	o.parent = 0;
	o.cflags = AG_SH_C_REPARSE;
	ag_sh_parse(&sh, "rm -rf ~", 8, &o);
	const struct ag_sh_cmd *rm = &sh.cmds[first];
	assert_argv(rm, 3, "rm", "-rf", "~");
	assert_int_equal(ag_sh_arg(&sh, rm, 2)->start, (int)(strchr(root, '~') - root));
	assert_true(rm->flags & AG_SH_C_REPARSE);
	assert_int_equal(rm->depth, 1);
	assert_int_equal(rm->parent, 0);
	o.base = -1;
	o.span_start = 3;
	o.span_end = 7;
	first = sh.ncmds;
	ag_sh_parse(&sh, "ls x", 4, &o);
	assert_int_equal(ag_sh_arg(&sh, &sh.cmds[first], 1)->start, 3);
	assert_int_equal(ag_sh_arg(&sh, &sh.cmds[first], 1)->end, 7);
	assert_int_equal(ag_sh_arg(&sh, &sh.cmds[first], 1)->src_base, -1);
}

static void
test_argv(void **state)
{
	(void)state;
	const char *argv[] = {"rm", "-rf", "$HOME", NULL};
	ag_sh_reset(&sh);
	ag_sh_add_argv(&sh, argv, 3);
	assert_int_equal(sh.ncmds, 1);
	assert_argv(&sh.cmds[0], 3, "rm", "-rf", "$HOME");
	/* no shell: $HOME is literal, and there is no span */
	assert_false(ag_sh_arg(&sh, &sh.cmds[0], 2)->flags & AG_SH_W_EXPAND);
	assert_int_equal(ag_sh_arg(&sh, &sh.cmds[0], 2)->start, -1);
}

static void
test_nesting_bound(void **state)
{
	(void)state;
	/* 200 nested $( … ): refused past the bound, not a stack overflow */
	size_t n = 200;
	char *text = malloc(n * 3 + 8);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(text + k, "$((", 2);
		k += 2;
	}
	memcpy(text + k, "id", 2);
	k += 2;
	for (size_t i = 0; i < n; i++)
		text[k++] = ')';
	text[k] = '\0';
	parse(text);
	assert_true(sh.flags & AG_SH_TOO_DEEP);
	free(text);
	/* the same depth of subshells ("((" would be arithmetic) */
	text = malloc(n * 4 + 8);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		text[k++] = '(';
		text[k++] = ' ';
	}
	memcpy(text + k, "id", 2);
	k += 2;
	for (size_t i = 0; i < n; i++) {
		text[k++] = ' ';
		text[k++] = ')';
	}
	text[k] = '\0';
	parse(text);
	assert_true(sh.flags & AG_SH_TOO_DEEP);
	free(text);
}

static void
test_size_bound(void **state)
{
	(void)state;
	/* more words than AG_SH_MAX_WORDS: the parse stops, flagged */
	size_t n = AG_SH_MAX_WORDS + 10;
	char *text = malloc(n * 2 + 1);
	for (size_t i = 0; i < n; i++) {
		text[2 * i] = 'a';
		text[2 * i + 1] = ' ';
	}
	text[2 * n] = '\0';
	parse(text);
	assert_true(sh.flags & AG_SH_TRUNCATED);
	assert_true(sh.nwords <= AG_SH_MAX_WORDS);
	free(text);
	/* and the parser is usable again afterwards */
	parse("ls");
	assert_int_equal(sh.flags, 0);
	assert_argv(cmd_with_words(0), 1, "ls");
}

static void
test_reuse_keeps_memory(void **state)
{
	(void)state;
	parse("a b c | d e f; g $(h i) > j");
	size_t ncmds = sh.ncmds, nwords = sh.nwords;
	const struct ag_sh_word *words = sh.words;
	size_t footprint = ag_sh_footprint(&sh);
	parse("a b c | d e f; g $(h i) > j");
	assert_int_equal(sh.ncmds, ncmds);
	assert_int_equal(sh.nwords, nwords);
	assert_ptr_equal(sh.words, words);
	assert_int_equal(ag_sh_footprint(&sh), footprint);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_words_and_spans, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quote_removal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ansi_c_quoting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_comments_are_not_commands, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_command_substitution, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backquote_escapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_subshells_and_groups, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_redirections, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_heredocs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_variables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ifs_and_brace_lists, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_compound_commands, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_substitution, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unterminated_and_stray, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reparse_origin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_argv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nesting_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reuse_keeps_memory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
