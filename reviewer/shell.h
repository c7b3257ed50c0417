/* A shell-word parser for judging commands, not for running them.
 *
 * It reads POSIX sh / bash text the way bash would split it into simple
 * commands: quoting and escapes ('…', "…", $'…', \x), parameter and command
 * substitution ($x, ${…}, $(…), `…`, <(…), >(…)), operators (; & && || | |&
 * and newlines), subshells and { groups; }, redirections with their targets,
 * heredocs and here-strings, and the compound keywords (if, while, for,
 * case, functions), which it flattens: every simple command that could run
 * is recorded once, in source order.
 *
 * Words are cooked (quotes removed, escapes applied, $'…' decoded) but
 * expansions are kept as their source text, flagged, unless the same text
 * assigned the variable a literal earlier (x=rm; $x -rf /). Two evasions are
 * undone on purpose: an unquoted ${IFS} splits the word, and a whole-word
 * brace list {rm,-rf,/} becomes its words.
 *
 * Every word and redirection keeps its byte range [start, end) in the root
 * text, so a reason can point at it. Text parsed again (sh -c, eval,
 * heredoc bodies) is appended to the same result with an origin saying how
 * its offsets map back to the root, or which span stands for all of it when
 * they cannot (the cooked text was not a verbatim slice of the root).
 *
 * Memory: one struct ag_sh holds every array and is reused between parses
 * (ag_sh_reset keeps the allocations), so scoring a request allocates
 * nothing once the arrays are warm. Every array, the nesting depth and the
 * cooked text have bounds; crossing one stops the parse and sets a flag,
 * never a crash. */
#ifndef AGATE_REVIEWER_SHELL_H
#define AGATE_REVIEWER_SHELL_H

#include <stddef.h>
#include <stdint.h>

/* Bounds. A command over these is still judged on what was parsed, and the
 * flag tells the scorer it did not see everything. */
#define AG_SH_MAX_NEST    64     /* nested (…), {…}, $(…) in one text */
#define AG_SH_MAX_WORDS   262144 /* words, across all re-parses */
#define AG_SH_MAX_CMDS    131072 /* simple commands */
#define AG_SH_MAX_REDIRS  65536
#define AG_SH_MAX_TEXT    (64u << 20) /* cooked bytes, across all re-parses */
#define AG_SH_MAX_VARS    64          /* remembered literal assignments */
#define AG_SH_MAX_HEREDOC 16          /* heredocs pending on one line */

/* Word flags. */
#define AG_SH_W_QUOTED    0x01u  /* some part was quoted or escaped */
#define AG_SH_W_EXPAND    0x02u  /* holds an unresolved $name / ${…} */
#define AG_SH_W_SUBST     0x04u  /* holds $(…), `…` or <(…)/>(…) */
#define AG_SH_W_GLOB      0x08u  /* unquoted * ? or [ */
#define AG_SH_W_ASSIGN    0x10u  /* NAME=value before the command name */
#define AG_SH_W_PROCSUBST 0x20u  /* the whole word is <(…) or >(…) */
#define AG_SH_W_DECODED   0x40u  /* $'…' escapes or a variable were substituted */
#define AG_SH_W_ARITH     0x80u  /* holds $((…)) */
#define AG_SH_W_BODY      0x100u /* a heredoc body */
#define AG_SH_W_TILDE     0x200u /* begins with an unquoted ~ */

struct ag_sh_word {
	uint32_t text;  /* offset of the cooked, NUL-terminated text in sh->text */
	uint32_t len;   /* its length */
	int start, end; /* byte range in the root text, or the origin's span; -1 when none */
	int src_base;   /* root offset of cooked byte 0 when the cooked text is a verbatim
	                 * slice of the root text, else -1 */
	unsigned flags; /* AG_SH_W_* */
};

enum ag_sh_redir_op {
	AG_SH_R_IN,         /* <   */
	AG_SH_R_OUT,        /* >   */
	AG_SH_R_APPEND,     /* >>  */
	AG_SH_R_CLOBBER,    /* >|  */
	AG_SH_R_RDWR,       /* <>  */
	AG_SH_R_HEREDOC,    /* << and <<- */
	AG_SH_R_HERESTRING, /* <<< */
	AG_SH_R_DUPIN,      /* <&  */
	AG_SH_R_DUPOUT,     /* >&  with a number or - */
	AG_SH_R_OUTERR,     /* &>  and >& with a file */
	AG_SH_R_APPENDERR,  /* &>> */
};

/* Whether a redirection writes its target (a file it may create or clobber). */
int ag_sh_redir_writes(enum ag_sh_redir_op op);

struct ag_sh_redir {
	int fd; /* the explicit fd (2>), or -1 */
	enum ag_sh_redir_op op;
	int target;     /* word: the file, fd, here-string or heredoc delimiter */
	int body;       /* heredoc: word holding the body, or -1 */
	int start, end; /* the operator through the target */
};

/* Command flags. */
#define AG_SH_C_BACKGROUND 0x01u /* ended with & */
#define AG_SH_C_SUBST      0x02u /* inside $(…) or `…` */
#define AG_SH_C_PROCSUBST  0x04u /* inside <(…) or >(…) */
#define AG_SH_C_FUNCBODY   0x08u /* inside a function definition's body */
#define AG_SH_C_FUNCDEF    0x10u /* defines a function; word 0 is its name */
#define AG_SH_C_GROUPREDIR 0x20u /* no words: the redirections of a (…) or {…} */
#define AG_SH_C_REPARSE    0x40u /* came from text parsed again (sh -c, eval, …) */
#define AG_SH_C_TEST       0x80u /* [[ … ]] or (( … )): an expression, runs nothing */

struct ag_sh_cmd {
	int assign0, nassign; /* NAME=value words before the command name */
	int word0, nwords;    /* argv */
	int redir0, nredir;
	int pipe, stage; /* pipeline and position in it (0 = first) */
	int parent;      /* command whose word holds this substitution, or the
	                  * command re-parsed to find it; -1 at the top */
	int parent_word; /* that word, or -1 */
	int func;        /* innermost function definition this runs in, or -1 */
	int depth;       /* re-parse / substitution depth, 0 at the top */
	int nested_end;  /* the commands read inside this one (its substitutions) are
	                  * (this, nested_end) */
	unsigned flags;  /* AG_SH_C_* */
};

/* A pipeline of one or more commands. One that runs as a stage of an
 * enclosing pipeline ((a | b) | c, or a re-parse of a command in a pipeline)
 * names that stage, so data flow can be followed through the nesting. */
struct ag_sh_pipe {
	int parent_pipe, parent_stage; /* or -1 */
	int nstages;
};

/* Result flags. */
#define AG_SH_TRUNCATED    0x01u /* a size bound was hit; the rest was not parsed */
#define AG_SH_TOO_DEEP     0x02u /* a nesting bound was hit */
#define AG_SH_UNTERMINATED 0x04u /* an open quote, $( or heredoc ran to the end */

struct ag_sh_var {
	uint32_t name, name_len; /* in sh->text */
	uint32_t value, value_len;
};

struct ag_sh {
	struct ag_sh_word *words;
	size_t nwords, capwords;
	struct ag_sh_redir *redirs;
	size_t nredirs, capredirs;
	struct ag_sh_cmd *cmds;
	size_t ncmds, capcmds;
	struct ag_sh_pipe *pipes;
	size_t npipes, cappipes;
	char *text; /* cooked words, each NUL-terminated */
	size_t ntext, captext;
	unsigned flags;

	/* Scratch, private to the parser: the words, redirections and bytes of
	 * commands still being read (nested substitutions finish first). */
	struct ag_sh_word *wstk;
	size_t nwstk, capwstk;
	struct ag_sh_redir *rstk;
	size_t nrstk, caprstk;
	char *cstk;
	size_t ncstk, capcstk;
	struct ag_sh_var vars[AG_SH_MAX_VARS];
	size_t nvars;
};

/* How a text being parsed relates to the root text. */
struct ag_sh_origin {
	int base;       /* root offset of text[0], or -1 */
	int span_start; /* when base is -1: the span every word gets */
	int span_end;
	int depth;       /* recorded in each command */
	int parent;      /* command this text came from, or -1 */
	int parent_word; /* word of parent, or -1 */
	int parent_pipe; /* the pipeline stage whose input this text reads, or -1 */
	int parent_stage;
	unsigned cflags; /* added to every command (AG_SH_C_REPARSE) */
};

/* The origin of a root text: offsets map one to one. */
void ag_sh_origin_root(struct ag_sh_origin *origin);

void ag_sh_init(struct ag_sh *sh);
/* Empties the result and the remembered variables; keeps the memory. */
void ag_sh_reset(struct ag_sh *sh);
/* Frees everything; sh can be ag_sh_init'ed again. */
void ag_sh_free(struct ag_sh *sh);
/* Bytes held by sh's arrays (to decide whether a reused parser should let
 * go of memory after a huge request). */
size_t ag_sh_footprint(const struct ag_sh *sh);

/* Parses text[0, len) (need not be NUL-terminated; NUL bytes are ordinary
 * characters) and appends its commands to sh. Never fails: bounds set
 * sh->flags. Returns the index of the first command it added (== the old
 * sh->ncmds). */
size_t ag_sh_parse(struct ag_sh *sh, const char *text, size_t len,
                   const struct ag_sh_origin *origin);

/* Appends one command whose argv is given directly (no shell involved):
 * words are taken verbatim, spans -1. */
size_t ag_sh_add_argv(struct ag_sh *sh, const char *const *argv, size_t argc);

static inline const char *
ag_sh_wtext(const struct ag_sh *sh, int word)
{
	return sh->text + sh->words[word].text;
}

/* The argv word i of command c (0 = the command name). */
static inline const struct ag_sh_word *
ag_sh_arg(const struct ag_sh *sh, const struct ag_sh_cmd *c, int i)
{
	return &sh->words[c->word0 + i];
}

#endif
