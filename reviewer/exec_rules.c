/* The exec policy: one table of command rules, read like a policy.
 *
 * A rule matches a command (wrappers already stripped) by name, by its
 * subcommand words (git stash drop), by options one of which must be there
 * (-r|-R|--recursive) and options none of which may be (-n|--dry-run).
 * When it matches, it adds its score, categories and reason, pointing at
 * the option or subcommand that made it match; or, when it names a check,
 * the check looks at the arguments (where rm -rf points, what chmod sets,
 * what SQL psql runs) and adds reasons of its own. Every matching rule
 * applies, so the table can be read line by line.
 *
 * Scores: <25 low, <50 medium, <80 high, else critical. "Dangerous" in the
 * corpus means high or critical. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, strcasestr */
#endif
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hash.h"
#include "reviewer/exec.h"
#include "reviewer/sensitive.h"

#define D AG_CATEGORY(DESTRUCTIVE)
#define X AG_CATEGORY(DATA_EXFILTRATION)
#define C AG_CATEGORY(CREDENTIAL_PROBING)
#define W AG_CATEGORY(SECURITY_WEAKENING)

#define CHECKS(_)                                                                          \
	_(NONE)                                                                            \
	_(DELETE)       /* positionals are deleted */                                      \
	_(DELETE_R)     /* positionals are deleted recursively */                          \
	_(TRUNCATE)     /* truncate -s 0 */                                                \
	_(FIND_DELETE)  /* find … -delete */                                             \
	_(FIND_SECRETS) /* find ~ -name id_rsa */                                          \
	_(RSYNC_DELETE) /* rsync --delete: the destination is pruned */                    \
	_(MV)           /* sources move away, the destination is written */                \
	_(COPY)         /* sources are read, the last positional is written */             \
	_(WRITE_LAST)   /* the last positional is written */                               \
	_(WRITE_ARGS)   /* every positional is written */                                  \
	_(WRITE_VALUE)  /* the matched option's value is written */                        \
	_(SED_I)        /* sed -i: the files after the script are rewritten */             \
	_(DD)           /* if= is read, of= is written */                                  \
	_(READ)         /* positionals are read and printed */                             \
	_(READ_PAT)     /* the first positional is a pattern/program, the rest are read */ \
	_(CHMOD)                                                                           \
	_(CHOWN)                                                                           \
	_(SQL)          /* SQL in -c/-e/heredocs: DROP, TRUNCATE, DELETE without WHERE */  \
	_(GIT_PUSH)     /* force, +refspec, delete */                                      \
	_(GIT_CONFIG)   /* git config KEY VALUE */                                         \
	_(GIT_C)        /* git -c KEY=VALUE */                                             \
	_(GIT_CHECKOUT) /* git checkout -- . */                                            \
	_(GIT_RESTORE)  /* git restore without --staged */                                 \
	_(CURL)                                                                            \
	_(WGET)                                                                            \
	_(NC)                                                                              \
	_(SOCAT)                                                                           \
	_(REMOTE_COPY)  /* scp/rsync/sftp to host:path */                                  \
	_(CLOUD_UPLOAD) /* gsutil/rclone cp to a remote */                                 \
	_(SEND)         /* mail, ftp: data leaves */                                       \
	_(DNS)          /* a host name built from command output */                        \
	_(SYSTEMCTL)                                                                       \
	_(KILL)                                                                            \
	_(DOCKER_RUN)                                                                      \
	_(KUBE_DELETE)                                                                     \
	_(KUBE_SECRET)                                                                     \
	_(CLOUD_VERB) /* delete/destroy/terminate in a cloud CLI */                        \
	_(AWS)                                                                             \
	_(PKG_SOURCE) /* installs from a URL or an unofficial index */                     \
	_(PKG_CONFIG) /* npm/pip/conda config that turns TLS off */                        \
	_(IPTABLES)                                                                        \
	_(SYSCTL)                                                                          \
	_(GROUPS)      /* usermod -aG sudo */                                              \
	_(ENV_DUMP)    /* env, printenv, set, export -p */                                 \
	_(ECHO_SECRET) /* echo $API_KEY */                                                 \
	_(CRONTAB)                                                                         \
	_(GREP_SECRETS) /* grep -r password ~ */                                           \
	_(SSH_TUNNEL)   /* ssh -R to a tunnel service */                                   \
	_(READ_VALUE)   /* the matched option's value is read */                           \
	_(DEVICE)       /* the last positional is a disk, unless it is an image file */

#define CHECK_ENUM(name) K_##name,
enum check { CHECKS(CHECK_ENUM) K_COUNT };
#undef CHECK_ENUM

struct rule {
	const char *cmds; /* "|"-separated command names */
	const char *sub; /* subcommand words, space-separated, each "a|b", "*x", "x*"; NULL = any */
	const char *any; /* one of these options must be present; NULL = none needed */
	const char *unless; /* none of these may be present */
	enum check check;
	int score;
	unsigned cats;
	const char *reason;
};

/* Options that take a value, per command, so subcommands are found after
 * global options (git -C dir push, kubectl -n ns delete). */
static const struct {
	const char *cmds;
	const char *valopts;
} cmd_valopts[] = {
    {"git", "-C|-c|--git-dir|--work-tree|--namespace|--exec-path|--config-env|--super-prefix|"
            "-m|-F|--file|-o|--remote|-b|-B|--source|-s"},
    {"kubectl|oc", "-n|--namespace|--context|--cluster|--kubeconfig|--user|-s|--server|--token|"
                   "-l|--selector|-o|--output|-f|--filename|--as|-c|--container|--field-selector"},
    {"helm", "-n|--namespace|--kube-context|--kubeconfig|-f|--values|--set|--version"},
    {"docker|docker-compose", "-H|--host|--context|-c|--config|-l|--log-level|-f|--file|-p|"
                              "--project-name|--env-file|-v|--volume|-e|--env|--name|-w|--workdir|"
                              "--network|--net|-u|--user|--entrypoint|--mount|--cap-add|--pid|"
                              "--security-opt|--device|--platform|--label|--restart"},
    {"aws", "--profile|--region|--output|--endpoint-url|--query|--color|--ca-bundle|"
            "--cli-read-timeout|--cli-connect-timeout|--bucket|--key|--secret-id|--name|"
            "--instance-ids|--db-instance-identifier|--table-name|--stack-name|--function-name|"
            "--user-name|--policy-arn|--group-id|--cidr|--protocol|--port|--acl|--policy"},
    {"gcloud|gsutil", "--project|--account|--configuration|--format|--zone|--region|"
                      "--verbosity|--impersonate-service-account|-o|--secret"},
    {"az", "--subscription|-g|--resource-group|-n|--name|-o|--output|--query|--vault-name"},
    {"systemctl", "-H|--host|-M|--machine|-p|--property|-t|--type|--state|-n|--lines|-o|"
                  "--output|--signal|-s"},
    {"npm|pnpm|yarn|bun", "--prefix|-w|--workspace|-C|--dir|--filter|--registry"},
    {"pip|uv|pipx", "-r|--requirement|-c|--constraint|-i|--index-url|--extra-index-url|-t|"
                    "--target|--trusted-host|-f|--find-links|--root|--prefix|--python|--proxy|"
                    "--cert|--cache-dir"},
    {"redis-cli", "-h|-p|-a|-n|-u|--user|--pass|-s"},
    {"psql", "-h|-p|-U|-d|-c|-f|-v|--host|--port|--username|--dbname|--command|--file|--set"},
    {"mysql|mariadb", "-h|-P|-u|-D|-e|--host|--port|--user|--database|--execute"},
    {"mongo|mongosh", "--host|--port|-u|-p|--username|--password|--eval|--authenticationDatabase"},
    {"gh|glab", "-R|--repo|-t|--title|-b|--body|-d|--desc"},
    {"crontab", "-u"},
    {"iptables|ip6tables", "-t|--table"},
    {"grep|egrep|fgrep", "-e|-f|-A|-B|-C|-m|-d|-D|--regexp|--file|--max-count|--context|"
                         "--after-context|--before-context|--include|--exclude|--exclude-dir|"
                         "--label|--color|--colour"},
    {"rg", "-e|-f|-A|-B|-C|-m|-g|-t|-T|--glob|--type|--type-not|--regexp|--file|--max-count|"
           "--context|--max-depth|-j|--threads|-M|--max-columns|--sort|-r|--replace"},
    {"ag|ack", "-G|--file-search-regex|-A|-B|-C|-m|--ignore|--ignore-dir"},
    {"awk", "-F|-v|-f|--field-separator|--assign|--file"},
    {"sed", "-e|-f|--expression|--file|-l|--line-length"},
    {"jq|yq", "--arg|--argjson|--slurpfile|--rawfile|--indent|-L|--from-file|-f"},
    {"head|tail", "-n|-c|--lines|--bytes|--pid|-s|--sleep-interval"},
    {"cut", "-d|-f|-b|-c|--delimiter|--fields|--bytes|--characters"},
    {"sort", "-k|-t|-o|--key|--field-separator|--output|-S|--buffer-size|-T"},
    {"chmod|chown|chgrp", "--reference"},
    {"cp|mv|install|ln", "-t|--target-directory|-S|--suffix|-m|--mode|-o|--owner|-g|--group"},
    {"rsync", "-e|--rsh|--exclude|--include|--filter|-f|--exclude-from|--include-from|"
              "--files-from|--chmod|--chown|--rsync-path|--port|--password-file|-B|--block-size|"
              "--timeout|--bwlimit|--log-file|--partial-dir|--backup-dir|--suffix|-T|--temp-dir"},
    {"scp|sftp", "-i|-P|-o|-F|-c|-l|-S|-J|-D|-X"},
    {"ssh", "-b|-c|-D|-E|-e|-F|-I|-i|-J|-L|-l|-m|-O|-o|-p|-Q|-R|-S|-W|-w|-B"},
    {"curl", "-d|--data|--data-binary|--data-raw|--data-urlencode|--data-ascii|--json|-F|--form|"
             "--form-string|-T|--upload-file|-X|--request|-H|--header|-o|--output|-u|--user|-A|"
             "--user-agent|-e|--referer|-b|--cookie|-c|--cookie-jar|-K|--config|-x|--proxy|-m|"
             "--max-time|--connect-timeout|--retry|-w|--write-out|-r|--range|-E|--cert|--key|"
             "--cacert|--resolve|--url|--output-dir|--retry-delay|--max-redirs|-y|-Y|-z|-C"},
    {"wget", "-O|--output-document|-o|--output-file|-a|--append-output|-P|--directory-prefix|"
             "--post-data|--post-file|--body-data|--body-file|--method|--header|-U|--user-agent|"
             "-t|--tries|-T|--timeout|--user|--password|-e|--execute|-i|--input-file|-w|--wait"},
    {"nc", "-p|-s|-w|-i|-e|-c|-x|-X|-q|-W|-T|-I|-O|-V|--exec|--sh-exec|--lua-exec|-o|--output"},
    {"usermod|useradd", "-d|-s|-c|-u|-e|-f|-l|-p|-k|-K|--home|--shell|--comment|--uid|-g|"
                        "--gid|--expiredate|--login|--password"},
    {"kill", "-s|-n|--signal"},
    {"find", ""},
    {"terraform", "-var|-var-file|-target|-state|-lock-timeout|-parallelism"},
    {"php", "-d|-c|-z|-t"},
    {"python", "-W|-X|-m"},
    {"security", "-a|-s|-l|-c|-D|-r|-k"},
    {"gpg", "-u|--local-user|-r|--recipient|-o|--output|--homedir|--default-key"},
    {"dig|nslookup|host", "-t|-c|-p|-q|-x|-f|-k|-y|-b"},
    {"ping|ping6", "-c|-i|-s|-t|-W|-w|-p|-I|-l|-Q|-M"},
};

static const struct rule rules[] = {
    /* ---- destructive file operations ---- */
    {"rm", NULL, "-r|-R|--recursive", NULL, K_DELETE_R, 0, D, "rm -r"},
    {"rm", NULL, NULL, "-r|-R|--recursive", K_DELETE, 0, D, "rm"},
    {"rm", NULL, "--no-preserve-root", NULL, K_NONE, 90, D,
     "rm --no-preserve-root removes the safety net for /"},
    {"rmdir|unlink", NULL, NULL, NULL, K_DELETE, 0, D, "deletion"},
    {"shred|srm|wipe", NULL, NULL, NULL, K_DELETE, 45, D, "irrecoverable deletion"},
    {"rimraf|del-cli|rmrf", NULL, NULL, NULL, K_DELETE_R, 0, D, "recursive deletion"},
    {"truncate", NULL, "-s|--size", NULL, K_TRUNCATE, 0, D, "truncate -s 0"},
    {"find", NULL, "-delete", NULL, K_FIND_DELETE, 0, D, "find -delete"},
    {"find", NULL, "-name|-iname|-path|-ipath|-regex", NULL, K_FIND_SECRETS, 50, C,
     "searches for key and credential files"},
    {"find", NULL, "-fprint|-fprintf|-fls", NULL, K_WRITE_VALUE, 0, 0, "writes"},
    {"rsync", NULL,
     "--delete|--delete-before|--delete-after|--delete-during|--delete-delay|--delete-excluded|"
     "--del",
     NULL, K_RSYNC_DELETE, 0, D, "rsync --delete"},
    {"mv", NULL, NULL, NULL, K_MV, 0, D, "moves"},
    {"cp|install", NULL, NULL, NULL, K_COPY, 0, 0, "copies"},
    {"ln", NULL, NULL, NULL, K_WRITE_LAST, 0, 0, "links over"},
    {"tee", NULL, NULL, NULL, K_WRITE_ARGS, 0, 0, "writes"},
    {"sort", NULL, "-o|--output", NULL, K_WRITE_VALUE, 0, 0, "writes"},
    {"dd", NULL, NULL, NULL, K_DD, 0, D, "dd"},
    {"sed|perl", NULL, "-i|--in-place", NULL, K_SED_I, 0, 0, "edits in place"},
    {"kill", NULL, NULL, NULL, K_KILL, 80, D, "kills every process"},
    {"killall5", NULL, NULL, NULL, K_NONE, 80, D, "kills every process"},
    {"shutdown|reboot|halt|poweroff", NULL, NULL, "--help", K_NONE, 70, D,
     "shuts down or reboots the machine"},
    {"init|telinit", "0|6", NULL, NULL, K_NONE, 70, D, "shuts down or reboots the machine"},

    /* ---- git: discarding work, rewriting history ---- */
    {"git", "reset", "--hard", NULL, K_NONE, 65, D,
     "git reset --hard discards uncommitted changes"},
    {"git", "reset", "--merge|--keep", NULL, K_NONE, 40, D,
     "git reset --merge can discard uncommitted changes"},
    {"git", "clean", "-f|--force", "-n|--dry-run|-i|--interactive", K_NONE, 60, D,
     "git clean -f deletes untracked files for good"},
    {"git", "push", NULL, "-n|--dry-run", K_GIT_PUSH, 0, D, "git push"},
    {"git", "push", "--no-verify", NULL, K_NONE, 30, W, "skips the repository's pre-push hooks"},
    {"git", "commit|merge|am|cherry-pick|rebase", "--no-verify", NULL, K_NONE, 30, W,
     "skips the repository's git hooks"},
    {"git", "checkout", NULL, "-b|-B|--orphan|-p|--patch", K_GIT_CHECKOUT, 55, D,
     "git checkout discards uncommitted changes"},
    {"git", "restore", NULL, NULL, K_GIT_RESTORE, 50, D,
     "git restore discards uncommitted changes"},
    {"git", "switch", "--discard-changes|-f|--force", NULL, K_NONE, 50, D,
     "git switch --discard-changes throws away uncommitted changes"},
    {"git", "stash drop|clear", NULL, NULL, K_NONE, 55, D, "deletes stashed work"},
    {"git", "branch", "-D|--delete+--force|-d+-f|--delete+-f|-d+--force", NULL, K_NONE, 50, D,
     "git branch -D deletes a branch even if unmerged"},
    {"git", "reflog expire|delete", NULL, NULL, K_NONE, 60, D,
     "rewrites the reflog, the last way back to lost commits"},
    {"git", "gc", "--prune", NULL, K_NONE, 50, D, "prunes unreachable commits for good"},
    {"git", "filter-branch|filter-repo", NULL, NULL, K_NONE, 70, D,
     "rewrites the repository's history"},
    {"git", "update-ref", "-d", NULL, K_NONE, 55, D, "deletes a ref"},
    {"git", "rm", "-r|-f|--force", "--cached", K_NONE, 30, D,
     "git rm deletes tracked files (recoverable from history)"},
    {"git", "worktree remove", "-f|--force", NULL, K_NONE, 40, D,
     "removes a worktree with its uncommitted changes"},
    {"git", "submodule deinit", "-f|--force|--all", NULL, K_NONE, 35, D,
     "removes submodule working trees"},
    {"git", "remote remove|rm", NULL, NULL, K_NONE, 25, D, "removes a remote"},
    {"git", "tag", "-d|--delete", NULL, K_NONE, 25, D, "deletes a tag"},
    {"git", "rebase", NULL, "--abort|--continue|--skip", K_NONE, 20, 0,
     "git rebase rewrites local history"},
    {"git", "commit", "--amend", NULL, K_NONE, 15, 0, "rewrites the last commit"},
    {"git", "config", NULL, NULL, K_GIT_CONFIG, 0, W, "git config"},
    {"git", NULL, "-c|--config-env", NULL, K_GIT_C, 0, W, "git -c"},
    {"git", "credential fill|approve", NULL, NULL, K_NONE, 60, C,
     "asks git's credential helper for a password"},
    {"git", "credential-store|credential-cache", NULL, NULL, K_NONE, 55, C,
     "reads stored git credentials"},

    /* ---- disks and filesystems ---- */
    {"mkfs|fdisk|sfdisk|cfdisk|gdisk|sgdisk|parted|wipefs|blkdiscard|format", NULL, NULL,
     "-l|--list|-p|--print|--help|-V|--version", K_DEVICE, 90, D, "partitions or formats a disk"},
    {"hdparm", NULL,
     "--security-erase|--security-erase-enhanced|--trim-sector-ranges|--write-sector", NULL, K_NONE,
     90, D, "erases a disk"},
    {"cryptsetup", "luksFormat|erase|luksErase|reencrypt", NULL, NULL, K_NONE, 90, D,
     "reformats an encrypted volume"},
    {"zpool", "destroy|labelclear", NULL, NULL, K_NONE, 90, D, "destroys a ZFS pool"},
    {"zfs", "destroy|rollback", NULL, NULL, K_NONE, 75, D, "destroys ZFS data"},
    {"lvremove|vgremove|pvremove", NULL, NULL, NULL, K_NONE, 85, D, "removes LVM volumes"},
    {"mdadm", NULL, "--zero-superblock|--create", NULL, K_NONE, 85, D, "rewrites RAID metadata"},
    {"diskutil",
     "eraseDisk|eraseVolume|zeroDisk|secureErase|partitionDisk|reformat|randomDisk|apfs", NULL,
     NULL, K_NONE, 90, D, "erases a disk"},
    {"badblocks", NULL, "-w", NULL, K_NONE, 85, D, "overwrites a whole disk"},
    {"mount|umount", NULL, NULL, NULL, K_NONE, 30, 0, "mounts or unmounts a filesystem"},
    {"swapoff|swapon", NULL, NULL, NULL, K_NONE, 25, 0, "changes swap"},

    /* ---- permissions and users ---- */
    {"chmod", NULL, NULL, NULL, K_CHMOD, 0, W, "chmod"},
    {"chown|chgrp", NULL, NULL, NULL, K_CHOWN, 0, D, "chown"},
    {"chattr", NULL, "-i|-a", NULL, K_NONE, 45, W, "removes the immutable flag"},
    {"setfacl", NULL, "-m|--modify|-M", NULL, K_NONE, 25, W, "changes access control lists"},
    {"usermod", NULL, "-G|-aG|--groups|-a", NULL, K_GROUPS, 60, W,
     "adds a user to a privileged group"},
    {"useradd|usermod", NULL, "-o|--non-unique", NULL, K_NONE, 80, W,
     "creates a second account with an existing (root?) uid"},
    {"useradd|adduser|groupadd|userdel|deluser", NULL, NULL, NULL, K_NONE, 40, W,
     "changes system accounts"},
    {"passwd", NULL, "-d|--delete|-u|--unlock", NULL, K_NONE, 65, W,
     "removes or unlocks a password"},
    {"chpasswd", NULL, NULL, NULL, K_NONE, 55, W, "sets account passwords"},
    {"visudo", NULL, NULL, "-c|--check", K_NONE, 55, W, "edits sudoers"},

    /* ---- databases ---- */
    {"psql|mysql|mariadb|sqlite3|sqlcmd|clickhouse-client|clickhouse|cockroach|duckdb|pgcli|mycli|"
     "cqlsh|snowsql|bq|mongo|mongosh|usql",
     NULL, NULL, NULL, K_SQL, 0, D, "SQL"},
    {"dropdb", NULL, NULL, NULL, K_NONE, 80, D, "drops a database"},
    {"dropuser", NULL, NULL, NULL, K_NONE, 50, D, "drops a database role"},
    {"mysqladmin", "drop", NULL, NULL, K_NONE, 80, D, "drops a database"},
    {"redis-cli", "flushall|FLUSHALL|flushdb|FLUSHDB", NULL, NULL, K_NONE, 80, D,
     "deletes every key in Redis"},
    {"rails|rake",
     "db:drop|db:reset|db:schema:load|db:migrate:reset|db:purge|db:setup|db:truncate_all", NULL,
     NULL, K_NONE, 75, D, "drops or rebuilds the database"},
    {"prisma", "migrate reset", NULL, NULL, K_NONE, 75, D, "drops and recreates the database"},
    {"prisma", "db push", "--force-reset|--accept-data-loss", NULL, K_NONE, 70, D,
     "pushes a schema that deletes data"},
    {"python", "*manage.py flush|reset_db|sqlflush|reset_schema", NULL, NULL, K_NONE, 70, D,
     "empties the Django database"},
    {"php", "artisan migrate:fresh|migrate:reset|migrate:refresh|db:wipe", NULL, NULL, K_NONE, 75,
     D, "drops the Laravel database"},
    {"supabase", "db reset", NULL, NULL, K_NONE, 70, D, "resets the database"},
    {"sequelize|sequelize-cli", "db:drop", NULL, NULL, K_NONE, 75, D, "drops the database"},
    {"flyway", "clean", NULL, NULL, K_NONE, 80, D, "drops every object in the schema"},
    {"liquibase", "dropAll|drop-all", NULL, NULL, K_NONE, 80, D,
     "drops every object in the schema"},

    /* ---- containers ---- */
    {"docker", "system prune", NULL, "-a|--all|--volumes", K_NONE, 45, D,
     "deletes stopped containers and unused images"},
    {"docker", "system prune", "-a|--all|--volumes", NULL, K_NONE, 65, D,
     "deletes all unused images and volumes"},
    {"docker", "volume rm|prune", NULL, NULL, K_NONE, 65, D,
     "deletes Docker volumes and their data"},
    {"docker", "image|container|network|builder prune", NULL, NULL, K_NONE, 35, D,
     "deletes unused Docker objects"},
    {"docker", "rm", "-f|--force|-v|--volumes", NULL, K_NONE, 40, D, "force-removes containers"},
    {"docker", "rmi", NULL, NULL, K_NONE, 25, D, "removes images"},
    {"docker", "run|create", NULL, NULL, K_DOCKER_RUN, 0, W, "docker run"},
    {"docker", "compose down", "-v|--volumes", NULL, K_NONE, 60, D,
     "deletes the project's volumes"},
    {"docker-compose", "down", "-v|--volumes", NULL, K_NONE, 60, D,
     "deletes the project's volumes"},
    {"docker", "push", NULL, NULL, K_NONE, 30, X, "publishes an image"},
    {"kubectl|oc", "delete", NULL, "--dry-run", K_KUBE_DELETE, 65, D, "deletes cluster resources"},
    {"kubectl|oc", "drain", NULL, "--dry-run", K_NONE, 55, D, "evicts every pod from a node"},
    {"kubectl|oc", "cordon", NULL, NULL, K_NONE, 30, 0, "stops scheduling on a node"},
    {"kubectl|oc", "scale", "--replicas=0", NULL, K_NONE, 50, D, "scales a workload to zero"},
    {"kubectl|oc", "replace", "--force", NULL, K_NONE, 55, D, "deletes and recreates resources"},
    {"kubectl|oc", "rollout undo", NULL, NULL, K_NONE, 40, D, "rolls back a deployment"},
    {"kubectl|oc", "apply|create|patch|edit|set|label|annotate|rollout|taint", NULL, "--dry-run",
     K_NONE, 25, 0, "changes cluster resources"},
    {"kubectl|oc", "get|describe", NULL, NULL, K_KUBE_SECRET, 60, C, "reads Kubernetes secrets"},
    {"kubectl|oc", "config view", "--raw|--flatten", NULL, K_NONE, 55, C,
     "prints cluster credentials"},
    {"kubectl|oc", "exec|cp|port-forward|proxy|debug|attach", NULL, NULL, K_NONE, 25, 0,
     "reaches into the cluster"},
    {"helm", "uninstall|delete|del|un", NULL, "--dry-run", K_NONE, 60, D, "uninstalls a release"},
    {"helm", "rollback", NULL, NULL, K_NONE, 35, D, "rolls back a release"},
    {"helm", "install|upgrade", NULL, "--dry-run", K_NONE, 25, 0, "changes a release"},

    /* ---- infrastructure and cloud ---- */
    {"terraform", "destroy", NULL, NULL, K_NONE, 85, D, "destroys the managed infrastructure"},
    {"terraform", "apply", "-destroy|--destroy", NULL, K_NONE, 85, D,
     "destroys the managed infrastructure"},
    {"terraform", "apply", "-auto-approve|--auto-approve", "-destroy", K_NONE, 60, D,
     "applies infrastructure changes without review"},
    {"terraform", "apply", NULL, "-auto-approve|--auto-approve|-destroy", K_NONE, 40, 0,
     "applies infrastructure changes"},
    {"terraform", "state rm|mv|push|replace-provider", NULL, NULL, K_NONE, 60, D,
     "rewrites the infrastructure state"},
    {"terraform", "force-unlock", NULL, NULL, K_NONE, 55, D, "breaks the state lock"},
    {"terraform", "taint|untaint", NULL, NULL, K_NONE, 40, D, "forces resources to be replaced"},
    {"terraform", "workspace delete", NULL, NULL, K_NONE, 60, D, "deletes a workspace"},
    {"pulumi", "destroy|down", NULL, NULL, K_NONE, 85, D, "destroys the stack's resources"},
    {"pulumi", "up|update", "--yes|-y|--skip-preview|-f", NULL, K_NONE, 55, D,
     "deploys without review"},
    {"pulumi", "stack rm", NULL, NULL, K_NONE, 75, D, "deletes a stack"},
    {"cdk", "destroy", NULL, NULL, K_NONE, 85, D, "destroys the stack"},
    {"cdk", "deploy", "--require-approval", NULL, K_NONE, 50, D, "deploys without approval"},
    {"serverless|sls", "remove", NULL, NULL, K_NONE, 80, D, "removes the deployed service"},
    {"aws", NULL, NULL, "--dryrun|--dry-run", K_AWS, 0, D, "aws"},
    {"gcloud", NULL, NULL, NULL, K_CLOUD_VERB, 65, D, "deletes cloud resources"},
    {"gcloud", "projects delete", NULL, NULL, K_NONE, 90, D, "deletes a whole cloud project"},
    {"gcloud", "auth print-access-token|print-identity-token", NULL, NULL, K_NONE, 55, C,
     "prints a cloud access token"},
    {"gcloud", "secrets versions access", NULL, NULL, K_NONE, 55, C, "reads a cloud secret"},
    {"gcloud", "iam service-accounts keys create", NULL, NULL, K_NONE, 60, C,
     "creates a service account key"},
    {"gsutil", "rm", "-r|-R|-a", NULL, K_NONE, 75, D, "deletes cloud storage recursively"},
    {"gsutil", "rm", NULL, "-r|-R|-a", K_NONE, 50, D, "deletes cloud storage objects"},
    {"gsutil", "rb", NULL, NULL, K_NONE, 75, D, "deletes a bucket"},
    {"gsutil", "rsync", "-d", NULL, K_NONE, 60, D, "mirrors with deletion"},
    {"gsutil", "cp|mv|rsync", NULL, NULL, K_CLOUD_UPLOAD, 30, X, "uploads to cloud storage"},
    {"az", NULL, NULL, NULL, K_CLOUD_VERB, 65, D, "deletes cloud resources"},
    {"az", "group delete", NULL, NULL, K_NONE, 85, D, "deletes a whole resource group"},
    {"az", "keyvault secret show|download", NULL, NULL, K_NONE, 55, C, "reads a Key Vault secret"},
    {"az", "account get-access-token", NULL, NULL, K_NONE, 55, C, "prints a cloud access token"},
    {"doctl|linode-cli|hcloud|scw|oci|ibmcloud|aliyun|vultr-cli|exo", NULL, NULL, NULL,
     K_CLOUD_VERB, 65, D, "deletes cloud resources"},
    {"heroku", "apps:destroy|pg:reset|destroy|apps:delete", NULL, NULL, K_NONE, 85, D,
     "destroys an app or its database"},
    {"heroku", "auth:token", NULL, NULL, K_NONE, 60, C, "prints the Heroku token"},
    {"fly|flyctl", "destroy|apps destroy|volumes destroy|volumes delete", NULL, NULL, K_NONE, 80, D,
     "destroys an app or volume"},
    {"vercel", "remove|rm", NULL, NULL, K_NONE, 60, D, "removes deployments"},
    {"netlify", "sites:delete", NULL, NULL, K_NONE, 75, D, "deletes a site"},
    {"firebase", "projects:delete|firestore:delete|database:remove|hosting:disable", NULL, NULL,
     K_NONE, 75, D, "deletes Firebase data"},
    {"rclone", "purge|delete|deletefile|rmdir|rmdirs|cleanup", NULL, NULL, K_NONE, 70, D,
     "deletes remote files"},
    {"rclone", "sync", NULL, NULL, K_NONE, 40, D,
     "mirrors a remote (deletes what is not in the source)"},
    {"rclone", "copy|copyto|move|moveto|sync", NULL, NULL, K_CLOUD_UPLOAD, 30, X,
     "uploads to a remote"},
    {"gh", "repo delete", NULL, NULL, K_NONE, 85, D, "deletes a GitHub repository"},
    {"gh", "repo edit", "--visibility", NULL, K_NONE, 55, X, "changes a repository's visibility"},
    {"gh", "release delete", NULL, NULL, K_NONE, 50, D, "deletes a release"},
    {"gh", "auth token", NULL, NULL, K_NONE, 65, C, "prints the GitHub token"},
    {"gh", "auth status", "-t|--show-token", NULL, K_NONE, 60, C, "prints the GitHub token"},
    {"gh", "secret set|delete|remove", NULL, NULL, K_NONE, 30, W, "changes repository secrets"},
    {"gh", "gist create", NULL, NULL, K_SEND, 30, X, "uploads files to a gist"},

    /* ---- packages: install scripts run with your privileges ---- */
    {"npm|pnpm|yarn|bun", "install|i|add", NULL, NULL, K_PKG_SOURCE, 15, 0,
     "installs packages (their install scripts run)"},
    {"npm|pnpm|yarn|bun", "publish", NULL, "--dry-run", K_NONE, 60, X,
     "publishes a package to the registry"},
    {"npm", "unpublish", NULL, NULL, K_NONE, 65, D, "unpublishes a package"},
    {"npm|pnpm|yarn", "config set", NULL, NULL, K_PKG_CONFIG, 0, W, "package config"},
    {"npm|pnpm", "set", NULL, NULL, K_PKG_CONFIG, 0, W, "package config"},
    {"npm", "token list|create", NULL, NULL, K_NONE, 45, C, "handles registry tokens"},
    {"pip|pipx", "install", NULL, NULL, K_PKG_SOURCE, 15, 0,
     "installs packages (their build scripts run)"},
    {"uv", "pip install|add|tool install", NULL, NULL, K_PKG_SOURCE, 15, 0,
     "installs packages (their build scripts run)"},
    {"pip", "install", "--trusted-host", NULL, K_NONE, 55, W,
     "trusts a package index without TLS checks"},
    {"uv", "pip install", "--trusted-host", NULL, K_NONE, 55, W,
     "trusts a package index without TLS checks"},
    {"pip", "install", "--break-system-packages", NULL, K_NONE, 30, 0,
     "installs over the system's Python packages"},
    {"pip", "config set", NULL, NULL, K_PKG_CONFIG, 0, W, "package config"},
    {"conda", "config", "--set", NULL, K_PKG_CONFIG, 0, W, "package config"},
    {"gem|cargo|go", "install", NULL, NULL, K_PKG_SOURCE, 15, 0, "installs packages"},
    {"twine|flit", "upload|publish", NULL, NULL, K_NONE, 60, X, "publishes a package"},
    {"gem", "push", NULL, NULL, K_NONE, 60, X, "publishes a gem"},
    {"cargo|poetry|uv|hatch|pdm", "publish", NULL, "--dry-run", K_NONE, 60, X,
     "publishes a package"},
    {"dotnet", "nuget push", NULL, NULL, K_NONE, 60, X, "publishes a package"},
    {"apt|apt-get|yum|dnf|zypper|apk|pacman|port|snap|emerge|pkg", "install|add|-S", NULL, NULL,
     K_NONE, 25, 0, "installs system packages"},
    {"apt|apt-get|yum|dnf|zypper|apk|snap|pkg", "remove|purge|autoremove|erase|del", NULL, NULL,
     K_NONE, 45, D, "removes system packages"},
    {"pacman", NULL, "-R|-Rs|-Rns|-Rdd", NULL, K_NONE, 45, D, "removes system packages"},
    {"apt-key", "add|adv", NULL, NULL, K_NONE, 50, W, "trusts a new package signing key"},
    {"add-apt-repository", NULL, NULL, NULL, K_NONE, 45, W, "adds a package source"},
    {"dpkg", NULL, "-i|--install", NULL, K_NONE, 35, 0, "installs a package file"},
    {"dpkg", NULL, "--purge|-P|-r|--remove", NULL, K_NONE, 45, D, "removes system packages"},
    {"rpm", NULL, "-e|--erase", "--test", K_NONE, 45, D, "removes system packages"},
    {"rpm|dpkg", NULL, "--nodeps|--force-all|--force-depends", NULL, K_NONE, 50, D,
     "forces a package change past its dependencies"},

    /* ---- persistence ---- */
    {"crontab", NULL, NULL, NULL, K_CRONTAB, 0, W, "crontab"},
    {"at|batch", NULL, NULL, "-l|-d|-r|-c", K_NONE, 45, W, "schedules a command to run later"},
    {"launchctl", "load|bootstrap|submit|enable", NULL, NULL, K_NONE, 50, W,
     "installs a launch agent or daemon"},
    {"systemctl", NULL, NULL, NULL, K_SYSTEMCTL, 0, W, "systemctl"},
    {"systemctl", "poweroff|reboot|halt|kexec", NULL, NULL, K_NONE, 70, D,
     "shuts down or reboots the machine"},
    {"update-rc.d|chkconfig|rc-update", NULL, NULL, NULL, K_NONE, 45, W,
     "makes a service start at boot"},
    {"ssh-copy-id", NULL, NULL, NULL, K_NONE, 30, W, "installs an SSH key on a host"},
    {"chsh", NULL, NULL, NULL, K_NONE, 40, W, "changes a login shell"},
    {"history", NULL, "-c", NULL, K_NONE, 50, W, "clears shell history (hides what ran)"},
    {"unset", "HISTFILE", NULL, NULL, K_NONE, 50, W, "turns off shell history (hides what runs)"},

    /* ---- security weakening ---- */
    {"ufw", "disable|reset", NULL, NULL, K_NONE, 70, W, "turns off the firewall"},
    {"ufw", "default allow", NULL, NULL, K_NONE, 60, W, "makes the firewall allow by default"},
    {"ufw", "allow", NULL, NULL, K_NONE, 25, W, "opens a firewall port"},
    {"iptables|ip6tables|iptables-legacy|iptables-nft", NULL, NULL, NULL, K_IPTABLES, 0, W,
     "iptables"},
    {"nft", "flush|delete", NULL, NULL, K_NONE, 65, W, "deletes firewall rules"},
    {"firewall-cmd", NULL, "--panic-off|--set-default-zone=trusted", NULL, K_NONE, 60, W,
     "opens the firewall"},
    {"setenforce", "0|Permissive|permissive", NULL, NULL, K_NONE, 70, W,
     "turns off SELinux enforcement"},
    {"aa-disable|aa-complain|aa-teardown", NULL, NULL, NULL, K_NONE, 65, W,
     "turns off AppArmor profiles"},
    {"apparmor_parser", NULL, "-R|--remove", NULL, K_NONE, 65, W, "unloads AppArmor profiles"},
    {"spctl", NULL, "--master-disable|--global-disable|--disable", NULL, K_NONE, 70, W,
     "turns off Gatekeeper"},
    {"csrutil", "disable", NULL, NULL, K_NONE, 85, W, "turns off System Integrity Protection"},
    {"xattr", "com.apple.quarantine", "-d|-r|-rd|-dr", NULL, K_NONE, 40, W,
     "removes the quarantine flag (skips Gatekeeper)"},
    {"sysctl", NULL, NULL, NULL, K_SYSCTL, 55, W, "turns off a kernel hardening setting"},
    {"codex", NULL,
     "--dangerously-bypass-approvals-and-sandbox|--yolo|danger-full-access|"
     "--sandbox=danger-full-access",
     NULL, K_NONE, 70, W, "runs a coding agent with its approvals and sandbox off"},
    {"claude", NULL,
     "--dangerously-skip-permissions|--permission-mode=bypassPermissions|"
     "bypassPermissions",
     NULL, K_NONE, 70, W, "runs a coding agent with its permission checks off"},
    {"gemini|qwen|cursor-agent", NULL, "--yolo|-y", NULL, K_NONE, 60, W,
     "runs a coding agent that approves everything"},
    {"aider", NULL, "--yes-always", NULL, K_NONE, 50, W,
     "runs a coding agent that approves everything"},
    {"security", "add-trusted-cert", NULL, NULL, K_NONE, 55, W, "trusts a new root certificate"},
    {"update-ca-certificates|update-ca-trust", NULL, NULL, NULL, K_NONE, 40, W,
     "changes the trusted certificate authorities"},

    /* ---- secrets ---- */
    {"cat|tac|head|tail|less|more|bat|view|nl|od|xxd|hexdump|strings|base64|base32|basenc|cut|"
     "sort|uniq|paste|column|iconv|fold|fmt|pr|expand|diff|cmp|comm|vim|vi|nvim|nano|emacs|gpg|"
     "zcat|gzip|bzip2|xz|tar|zip|7z|7za|zstd|file|wc|md5sum|sha256sum|shasum|"
     "sqlite3|jless|source|.|cksum|xclip|xsel|pbcopy|clip",
     NULL, NULL, NULL, K_READ, 0, C, "reads"},
    {"grep|egrep|fgrep|rg|ag|ack|sed|awk|jq|yq", NULL, NULL, NULL, K_READ_PAT, 0, C, "reads"},
    {"grep|egrep|fgrep|rg|ag|ack", NULL, NULL, NULL, K_GREP_SECRETS, 55, C,
     "searches for passwords and keys"},
    {"env|printenv|set|export|declare|typeset", NULL, NULL, NULL, K_ENV_DUMP, 50, C,
     "prints the environment (API keys, tokens)"},
    {"echo|printf|print", NULL, NULL, NULL, K_ECHO_SECRET, 55, C,
     "prints a secret environment variable"},
    {"security",
     "find-generic-password|find-internet-password|dump-keychain|export|find-certificate|"
     "find-key|show-keychain-info",
     NULL, NULL, K_NONE, 70, C, "reads from the macOS keychain"},
    {"secret-tool", "lookup|search", NULL, NULL, K_NONE, 60, C, "reads from the keyring"},
    {"kwallet-query|kwalletcli", NULL, NULL, NULL, K_NONE, 60, C, "reads from the keyring"},
    {"pass|gopass", "show|cat|otp|-c", NULL, NULL, K_NONE, 55, C, "reads a stored password"},
    {"op", "read|inject", NULL, NULL, K_NONE, 55, C, "reads from 1Password"},
    {"op", "item get", NULL, NULL, K_NONE, 55, C, "reads from 1Password"},
    {"bw", "get|export|unlock", NULL, NULL, K_NONE, 55, C, "reads from Bitwarden"},
    {"lpass", "show|export", NULL, NULL, K_NONE, 55, C, "reads from LastPass"},
    {"vault", "read|kv", NULL, NULL, K_NONE, 45, C, "reads from Vault"},
    {"docker-credential-desktop|docker-credential-osxkeychain|docker-credential-pass|"
     "docker-credential-secretservice|docker-credential-ecr-login|docker-credential-gcloud",
     "get|list", NULL, NULL, K_NONE, 60, C, "reads registry credentials"},
    {"openssl", NULL, "-in|-inkey|-key|-infiles|-kfile", NULL, K_READ_VALUE, 0, C, "reads"},
    {"openssl", NULL, "-out|-keyout", NULL, K_WRITE_VALUE, 0, 0, "writes"},
    {"gpg", NULL, "--export-secret-keys|--export-secret-subkeys", NULL, K_NONE, 70, C,
     "exports private keys"},

    /* ---- network ---- */
    {"curl", NULL, NULL, NULL, K_CURL, 0, X, "curl"},
    {"wget", NULL, NULL, NULL, K_WGET, 0, X, "wget"},
    {"nc", NULL, NULL, NULL, K_NC, 0, X, "nc"},
    {"socat", NULL, NULL, NULL, K_SOCAT, 0, X, "socat"},
    {"telnet", NULL, NULL, NULL, K_SEND, 20, X, "opens a raw network connection"},
    {"scp|sftp|rsync", NULL, NULL, NULL, K_REMOTE_COPY, 25, X, "copies files to another host"},
    {"ftp|tftp|lftp|sendmail|mail|mailx|mutt|swaks|msmtp|s-nail", NULL, NULL, NULL, K_SEND, 30, X,
     "sends data to another host"},
    {"ssh", NULL, "-R", NULL, K_SSH_TUNNEL, 45, W,
     "opens a reverse tunnel that exposes a local port"},
    {"ngrok|lt|localtunnel|bore|zrok|pinggy|localxpose", NULL, NULL, NULL, K_NONE, 50, X,
     "exposes a local service to the internet"},
    {"cloudflared", "tunnel", NULL, NULL, K_NONE, 50, X, "exposes a local service to the internet"},
    {"tailscale", "funnel", NULL, NULL, K_NONE, 50, X, "exposes a local service to the internet"},
    {"php", NULL, "-S", NULL, K_NONE, 30, X, "serves the directory over HTTP"},
    {"dig|nslookup|host|drill|ping|ping6|traceroute|tracepath|whois|getent|kdig|delv|mtr|nping",
     NULL, NULL, NULL, K_DNS, 70, X, "builds a host name from command output (DNS exfiltration)"},
};

#define NRULES (sizeof rules / sizeof rules[0])

/* ---- the index: command name -> rules -------------------------------------------- */

struct optset;

struct index_entry {
	char name[64];
	unsigned short rule;
	const char *valopts;       /* the command's, from cmd_valopts */
	const struct optset *vset; /* the same, compiled */
};

static const char *valopts_for(const char *name);
static const struct optset *optset_compile(const char *spec);

/* A rule's lists, compiled when the index is built (see optset). */
struct sub_alt {
	const char *p;
	size_t n;
	enum { ALT_EXACT, ALT_SUFFIX, ALT_PREFIX } kind; /* x, *x, x* */
};
struct rule_c {
	const struct optset *any; /* NULL: none, or any with + (any_opt reads the text) */
	const struct optset *unless;
	struct sub_alt *alts; /* the sub words' alternatives, word after word */
	size_t *nalts;        /* alternatives per sub word */
	size_t nsub;          /* sub words; (size_t)-1: more than MAX_SUB_POS */
};
static struct rule_c rule_c[NRULES];
static void rule_compile(const struct rule *r, struct rule_c *c);

static struct index_entry *index_entries;
static size_t index_count;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static struct ag_name_map index_map;

static int
index_cmp(const void *a, const void *b)
{
	const struct index_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c != 0 ? c : (int)x->rule - (int)y->rule;
}

static size_t
count_names(const char *list)
{
	size_t n = 1;
	for (const char *p = list; *p; p++)
		n += *p == '|';
	return n;
}

static void
index_build(void)
{
	size_t total = 0;
	for (size_t r = 0; r < NRULES; r++)
		total += count_names(rules[r].cmds);
	/* Built once per process and kept: the table is static. */
	index_entries = calloc(total, sizeof *index_entries);
	if (index_entries == NULL)
		abort();
	for (size_t r = 0; r < NRULES; r++) {
		for (const char *p = rules[r].cmds; *p;) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			struct index_entry *e = &index_entries[index_count++];
			if (len >= sizeof e->name)
				len = sizeof e->name - 1;
			memcpy(e->name, p, len);
			e->name[len] = '\0';
			e->rule = (unsigned short)r;
			e->valopts = valopts_for(e->name);
			e->vset = optset_compile(e->valopts);
			if (bar == NULL)
				break;
			p = bar + 1;
		}
	}
	for (size_t r = 0; r < NRULES; r++)
		rule_compile(&rules[r], &rule_c[r]);
	qsort(index_entries, index_count, sizeof *index_entries, index_cmp);
	ag_name_map_build(&index_map, index_entries, index_count, sizeof *index_entries,
	                  offsetof(struct index_entry, name));
}

/* ---- option helpers ---------------------------------------------------------------- */

static int
spec_has(const char *spec, const char *s, size_t len)
{
	for (const char *p = spec; *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && memcmp(p, s, n) == 0)
			return 1;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return 0;
}

/* Whether arg a matches one option of spec. */
static int
opt_match(const char *a, size_t alen, const char *spec)
{
	for (const char *p = spec; *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == 2 && p[0] == '-' && p[1] != '-') {
			char letter = p[1];
			int alpha =
			    (letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z');
			if (alen == 2 && a[0] == '-' && a[1] == letter)
				return 1;
			if (alpha && alen > 2 && a[0] == '-' && a[1] != '-') {
				for (size_t i = 1; i < alen; i++) {
					char c = a[i];
					if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
						break;
					if (c == letter)
						return 1;
				}
			}
		} else if (n > 0) {
			if (alen == n && memcmp(a, p, n) == 0)
				return 1;
			if (p[0] == '-' && alen > n && memcmp(a, p, n) == 0 && a[n] == '=')
				return 1;
		}
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return 0;
}

/* An option list compiled once, for the lists every command's rules ask
 * about (valopts, a rule's any and unless): spec_has and opt_match walk
 * the text segment by segment, and curl's valopts alone has sixty. Same
 * answers as the text:
 *   - "-L" segments (one letter, not '-'): letter sets, exact (-L) and, for
 *     letters, inside a bundle (-rLf);
 *   - every other non-empty segment: hashed, matched whole, or (when it
 *     starts with '-') as the part of the arg before an '=';
 *   - an empty segment matches only an empty arg (spec_has).
 * Built once, kept for the life of the process, like the index. */
struct optseg {
	const char *s; /* NULL: empty slot */
	size_t len;
};
struct optset {
	const char *spec; /* the text it was compiled from */
	unsigned char exact1[256 / 8];
	unsigned char bundle[256 / 8];
	int has_empty;
	struct optseg *slot;
	size_t mask;
};

static int
bit_has(const unsigned char *set, unsigned char c)
{
	return (set[c / 8] >> (c % 8)) & 1;
}

static void
bit_set(unsigned char *set, unsigned char c)
{
	set[c / 8] |= (unsigned char)(1u << (c % 8));
}

static int
optset_word(const struct optset *o, const char *s, size_t len)
{
	for (size_t k = ag_hash(s, len) & o->mask; o->slot[k].s != NULL; k = (k + 1) & o->mask)
		if (o->slot[k].len == len && memcmp(o->slot[k].s, s, len) == 0)
			return 1;
	return 0;
}

static int
is_letter_seg(const char *p, size_t n)
{
	return n == 2 && p[0] == '-' && p[1] != '-';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The next segment of a list, walked as spec_has and opt_match walk it
 * (split at '|'; the walk ends at the NUL, so a trailing '|' adds no
 * empty segment): 1 and [*seg, *seg + *n), or 0 at the end. *p starts at
 * the list. */
static int
next_seg(const char **p, const char **seg, size_t *n)
{
	if (*p == NULL || **p == '\0')
		return 0;
	const char *bar = strchr(*p, '|');
	*seg = *p;
	*n = bar != NULL ? (size_t)(bar - *p) : strlen(*p);
	*p = bar != NULL ? bar + 1 : NULL;
	return 1;
}

static const struct optset *
optset_compile(const char *spec)
{
	struct optset *o = calloc(1, sizeof *o);
	size_t size = 4, n;
	const char *w = spec, *p;
	if (o == NULL)
		abort();
	while (size < 2 * count_names(spec))
		size *= 2;
	o->slot = calloc(size, sizeof *o->slot);
	if (o->slot == NULL)
		abort();
	o->mask = size - 1;
	o->spec = spec;
	while (next_seg(&w, &p, &n)) {
		if (n == 0) {
			o->has_empty = 1;
		} else if (is_letter_seg(p, n)) {
			bit_set(o->exact1, (unsigned char)p[1]);
			if (is_alpha(p[1]))
				bit_set(o->bundle, (unsigned char)p[1]);
		} else {
			size_t k = ag_hash(p, n) & o->mask;
			while (o->slot[k].s != NULL)
				k = (k + 1) & o->mask;
			o->slot[k] = (struct optseg){p, n};
		}
	}
	return o;
}

/* spec_has over a compiled list. */
static int
optset_has(const struct optset *o, const char *s, size_t len)
{
	if (len == 0)
		return o->has_empty;
	if (is_letter_seg(s, len))
		return bit_has(o->exact1, (unsigned char)s[1]);
	return optset_word(o, s, len);
}

/* opt_match over a compiled list. */
static int
optset_match(const struct optset *o, const char *a, size_t alen)
{
	if (alen == 2 && a[0] == '-' && bit_has(o->exact1, (unsigned char)a[1]))
		return 1;
	if (alen > 2 && a[0] == '-' && a[1] != '-')
		for (size_t i = 1; i < alen && is_alpha(a[i]); i++)
			if (bit_has(o->bundle, (unsigned char)a[i]))
				return 1;
	if (alen > 0 && !is_letter_seg(a, alen) && optset_word(o, a, alen))
		return 1;
	if (alen > 0 && a[0] == '-')
		for (size_t j = 1; j < alen; j++)
			if (a[j] == '=' && !is_letter_seg(a, j) && optset_word(o, a, j))
				return 1;
	return 0;
}

/* ag_exec_opt over a compiled list. */
static size_t
optset_opt(struct ag_exec_ctx *x, const struct ag_xview *v, const struct optset *o)
{
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->len == 2 && a->s[0] == '-' && a->s[1] == '-')
			return 0;
		if (a->len < 2 || (a->s[0] != '-' && optset_has(o, a->s, a->len) == 0))
			continue;
		if (optset_match(o, a->s, a->len))
			return i;
	}
	return 0;
}

size_t
ag_exec_opt(struct ag_exec_ctx *x, const struct ag_xview *v, const char *spec)
{
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->len == 2 && a->s[0] == '-' && a->s[1] == '-')
			return 0;
		if (a->len < 2 || (a->s[0] != '-' && spec_has(spec, a->s, a->len) == 0))
			continue;
		if (opt_match(a->s, a->len, spec))
			return i;
	}
	return 0;
}

/* The index of v's next positional after i (start with 0 and *dashdash
 * 0), past options and the values of those in valopts (vset: the same,
 * compiled, or NULL); 0 when there are no more. */
static inline size_t
pos_next(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts,
         const struct optset *vset, size_t i, int *dashdash)
{
	while (++i < v->n) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (!*dashdash && a->len == 2 && a->s[0] == '-' && a->s[1] == '-') {
			*dashdash = 1;
			continue;
		}
		if (!*dashdash && a->len >= 2 && a->s[0] == '-') {
			if (valopts[0] != '\0' && memchr(a->s, '=', a->len) == NULL &&
			    (vset != NULL ? optset_has(vset, a->s, a->len)
			                  : spec_has(valopts, a->s, a->len)))
				i++;
			continue;
		}
		return i;
	}
	return 0;
}

/* The positionals of v in order, up to max of them, into pos; returns how
 * many. *complete: that is all of them. */
static size_t
pos_scan(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts,
         const struct optset *vset, size_t *pos, size_t max, int *complete)
{
	size_t seen = 0, i = 0;
	int dashdash = 0;
	*complete = 0;
	while ((i = pos_next(x, v, valopts, vset, i, &dashdash)) != 0) {
		if (seen == max)
			return seen;
		pos[seen++] = i;
	}
	*complete = 1;
	return seen;
}

/* The rules and their checks ask for the positionals of the view being
 * judged, with the command's valopts, again and again (FOR_POS walks them
 * one nth at a time): ag_exec_rules finds them once (pos_remember) for the
 * view and valopts it judges; anything else is scanned. */
size_t
ag_exec_pos(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts, int nth)
{
	if (nth < 0)
		return 0;
	if (x->pos_view == v && x->pos_valopts == valopts) {
		if ((size_t)nth < x->npos)
			return x->pos[nth];
		if (x->pos_complete)
			return 0;
	}
	size_t i = 0;
	int dashdash = 0;
	for (int seen = 0; (i = pos_next(x, v, valopts, NULL, i, &dashdash)) != 0; seen++)
		if (seen == nth)
			return i;
	return 0;
}

/* From here until pos_forget, ag_exec_pos answers for v and valopts from
 * what one scan found. Only while v's args cannot change: they sit below
 * the top of the arg stack, where pushes go. */
static void
pos_remember(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts,
             const struct optset *vset)
{
	x->pos_view = NULL;
	if (v->off + v->n > x->nxa)
		return;
	x->npos = pos_scan(x, v, valopts, vset, x->pos, AG_EXEC_POS_CACHE, &x->pos_complete);
	x->pos_view = v;
	x->pos_valopts = valopts;
}

static void
pos_forget(struct ag_exec_ctx *x)
{
	x->pos_view = NULL;
}

static const char *
valopts_for(const char *name)
{
	for (size_t i = 0; i < sizeof cmd_valopts / sizeof cmd_valopts[0]; i++) {
		const char *list = cmd_valopts[i].cmds;
		if (spec_has(list, name, strlen(name)))
			return cmd_valopts[i].valopts;
	}
	return "";
}

/* Index of the last positional the sub words matched, 0 when they do not
 * (or the rule has none: then *ok says whether it matched). Each word is
 * "a|b|*suffix|prefix*" against the positional at its place. */
#define MAX_SUB_POS 8

static void
rule_compile(const struct rule *r, struct rule_c *c)
{
	c->any = r->any != NULL && strchr(r->any, '+') == NULL ? optset_compile(r->any) : NULL;
	c->unless = r->unless != NULL ? optset_compile(r->unless) : NULL;
	c->nsub = 0;
	if (r->sub == NULL || r->sub[0] == '\0')
		return;
	size_t cap = strlen(r->sub) + 1;
	c->alts = calloc(cap, sizeof *c->alts);
	c->nalts = calloc(cap, sizeof *c->nalts);
	if (c->alts == NULL || c->nalts == NULL)
		abort();
	size_t na = 0;
	/* words split at ' ' (a trailing ' ' adds none), alternatives at '|'
	 * (a trailing '|' adds none), as the text was read */
	for (const char *p = r->sub; *p;) {
		const char *sp = strchr(p, ' ');
		size_t plen = sp ? (size_t)(sp - p) : strlen(p);
		size_t first = na;
		for (size_t i = 0; i < plen;) {
			size_t e = i;
			while (e < plen && p[e] != '|')
				e++;
			struct sub_alt *alt = &c->alts[na++];
			alt->p = p + i;
			alt->n = e - i;
			alt->kind = ALT_EXACT;
			if (alt->n > 0 && alt->p[0] == '*') {
				alt->kind = ALT_SUFFIX;
				alt->p++;
				alt->n--;
			} else if (alt->n > 0 && alt->p[alt->n - 1] == '*') {
				alt->kind = ALT_PREFIX;
				alt->n--;
			}
			i = e + 1;
		}
		c->nalts[c->nsub++] = na - first;
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	if (c->nsub > MAX_SUB_POS)
		c->nsub = (size_t)-1; /* only MAX_SUB_POS positionals are looked at */
}

static int
sub_alt_match(const struct sub_alt *alt, const char *w, size_t wlen)
{
	switch (alt->kind) {
	case ALT_SUFFIX: return wlen >= alt->n && memcmp(w + wlen - alt->n, alt->p, alt->n) == 0;
	case ALT_PREFIX: return wlen >= alt->n && memcmp(w, alt->p, alt->n) == 0;
	default: return alt->n == wlen && memcmp(alt->p, w, wlen) == 0;
	}
}

static size_t
sub_match(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule_c *c,
          const size_t *pos, int npos, int *ok)
{
	*ok = 1;
	if (c->nsub == 0)
		return 0;
	*ok = 0;
	if (c->nsub == (size_t)-1)
		return 0;
	size_t last = 0;
	const struct sub_alt *alt = c->alts;
	for (size_t w = 0; w < c->nsub; alt += c->nalts[w], w++) {
		size_t i = (int)w < npos ? pos[w] : 0;
		if (i == 0)
			return 0;
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		size_t k = 0;
		while (k < c->nalts[w] && !sub_alt_match(&alt[k], a->s, a->len))
			k++;
		if (k == c->nalts[w])
			return 0;
		last = i;
	}
	*ok = 1;
	return last;
}

static int
pct(size_t len)
{
	return (int)(len > 80 ? 80 : len);
}

/* ---- paths ---------------------------------------------------------------------------- */

static int
dynamic_arg(const struct ag_xarg *a)
{
	return (a->flags & (AG_SH_W_SUBST | AG_SH_W_EXPAND)) && !(a->flags & AG_X_SYNTH);
}

const char *
ag_exec_static_path(const char *s, size_t len, unsigned flags, char *buf, size_t size)
{
	if (!(flags & (AG_SH_W_SUBST | AG_SH_W_EXPAND)) || (flags & AG_X_SYNTH))
		return s;
	size_t skip = strncmp(s, "${HOME}", 7) == 0 ? 7 : strncmp(s, "$HOME", 5) == 0 ? 5 : 0;
	if (skip == 0 || (s[skip] != '/' && s[skip] != '\0'))
		return NULL;
	if (memchr(s + skip, '$', len - skip) != NULL || memchr(s + skip, '`', len - skip) != NULL)
		return NULL;
	if (len - skip + 2 > size)
		return NULL;
	buf[0] = '~';
	memcpy(buf + 1, s + skip, len - skip);
	buf[len - skip + 1] = '\0';
	return buf;
}

/* The arg as a path the scorer can judge: itself, $HOME/… as ~/…, or NULL
 * when it is decided at run time. */
static const char *
static_path(const struct ag_xarg *a, char *buf, size_t size)
{
	return ag_exec_static_path(a->s, a->len, a->flags, buf, size);
}

/* A file outside the workspace read by a command that prints it: data
 * that should not leave (flow rules). */
static void
note_outside_read(struct ag_exec_ctx *x, const char *p, const struct ag_xarg *a)
{
	enum ag_target t = ag_exec_target(p, strlen(p), x->vcwd, x->vcwd_known, x->cwd);
	if ((t == AG_T_SYSTEM || t == AG_T_HOME || t == AG_T_OUTSIDE) && !x->outside_read) {
		x->outside_read = 1;
		x->outside_start = a->start;
		x->outside_end = a->end;
	}
}

void
ag_exec_write_path(struct ag_exec_ctx *x, const char *path, size_t len, int start, int end,
                   const char *verb)
{
	struct ag_path_hit hit;
	static const char *const harmless[] = {"/dev/null",      "/dev/stdout", "/dev/stderr",
	                                       "/dev/tty",       "/dev/zero",   "/dev/fd/",
	                                       "/proc/self/fd/", NULL};
	if (len == 0)
		return;
	for (size_t i = 0; harmless[i] != NULL; i++) {
		size_t n = strlen(harmless[i]);
		if (len >= n && memcmp(path, harmless[i], n) == 0 &&
		    (len == n || path[n - 1] == '/'))
			return;
	}
	if (ag_sensitive_path(path, len, AG_ACCESS_WRITE, &hit) && hit.score >= 20) {
		ag_exec_add(x, hit.score, hit.categories, start, end, "%s %s: %.*s", verb, hit.what,
		            pct(len), path);
		return;
	}
	enum ag_target t = ag_exec_target(path, len, x->vcwd, x->vcwd_known, x->cwd);
	if (t == AG_T_SYSTEM || t == AG_T_ROOT)
		ag_exec_add(x, 55, D, start, end, "%s system files: %.*s", verb, pct(len), path);
	else if (t == AG_T_HOME)
		ag_exec_add(x, 55, D, start, end, "%s a home directory: %.*s", verb, pct(len),
		            path);
}

/* Secrets sensitive.c does not name: process environments, shell
 * history, browser password and cookie stores. */
static const char *
extra_secret(const char *path, size_t len)
{
	static const char *const tails[] = {
	    "/environ", ".bash_history", ".zsh_history",   "Login Data", "/Cookies", "logins.json",
	    "key4.db",  ".psql_history", ".mysql_history", "wallet.dat", NULL};
	for (size_t i = 0; tails[i] != NULL; i++) {
		size_t n = strlen(tails[i]);
		if (len >= n && memcmp(path + len - n, tails[i], n) == 0)
			return "stored secrets or history";
	}
	return NULL;
}

int
ag_exec_read_path(struct ag_exec_ctx *x, const char *path, size_t len, int start, int end,
                  const char *verb)
{
	struct ag_path_hit hit;
	if (len == 0)
		return 0;
	if (len > 7 && memcmp(path, "file://", 7) == 0) {
		path += 7;
		len -= 7;
	}
	if (ag_sensitive_path(path, len, AG_ACCESS_READ, &hit) && hit.score >= 50) {
		ag_exec_add(x, hit.score, hit.categories | C, start, end, "%s %s: %.*s", verb,
		            hit.what, pct(len), path);
		ag_exec_note_secret(x, start, end, hit.what);
		return 1;
	}
	const char *what = extra_secret(path, len);
	if (what != NULL) {
		ag_exec_add(x, 60, C, start, end, "%s %s: %.*s", verb, what, pct(len), path);
		ag_exec_note_secret(x, start, end, what);
		return 1;
	}
	return 0;
}

/* Deletion scores by where the target is (see exec.h's enum ag_target). */
static const int delete_scores[2][AG_T_COUNT] = {
    /* inside tmp git workspace dynamic outside system home root */
    {5, 5, 30, 35, 30, 40, 65, 60, 70},    /* files */
    {10, 10, 60, 55, 55, 60, 85, 95, 100}, /* recursively */
};

void
ag_exec_delete_targets(struct ag_exec_ctx *x, const struct ag_xview *v, size_t from, size_t to,
                       int recursive, const char *what)
{
	int dashdash = 0;
	for (size_t i = from; i < to && i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (!dashdash && strcmp(a->s, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && a->len > 1 && a->s[0] == '-')
			continue;
		enum ag_target t =
		    dynamic_arg(a) && a->s[0] != '$' && a->s[0] != '`'
		        ? AG_T_DYNAMIC
		        : ag_exec_target(a->s, a->len, x->vcwd, x->vcwd_known, x->cwd);
		if (dynamic_arg(a) && a->s[0] == '$' && strncmp(a->s, "$HOME", 5) != 0 &&
		    strncmp(a->s, "${HOME}", 7) != 0 && strncmp(a->s, "$PWD", 4) != 0 &&
		    strncmp(a->s, "${PWD}", 6) != 0 && strncmp(a->s, "$TMPDIR", 7) != 0)
			t = AG_T_DYNAMIC;
		int score = delete_scores[recursive ? 1 : 0][t];
		struct ag_path_hit hit;
		unsigned cats = D;
		const char *where = ag_exec_target_name(t);
		if (ag_sensitive_path(a->s, a->len, AG_ACCESS_WRITE, &hit) && hit.score > score) {
			score = hit.score;
			cats = hit.categories | D;
			where = hit.what;
		}
		ag_exec_add(x, score, cats, a->start, a->end, "%s deletes %s: %.*s", what, where,
		            pct(a->len), a->s);
	}
}

/* ---- checks ---------------------------------------------------------------------------- */

struct match {
	size_t at; /* the arg that made the rule match (0 = the command) */
	const char *valopts;
};

static void
rule_reason(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r, size_t at,
            int score)
{
	if (score <= 0 || r->reason[0] == '\0')
		return;
	const struct ag_xarg *a = ag_exec_arg(x, v, at);
	ag_exec_add(x, score, r->cats, a->start, a->end, "%s", r->reason);
}

/* Positionals from nth on, as indexes, calling fn on each. */
#define FOR_POS(x, v, valopts, first, i) \
	for (int _k = (first); ((i) = ag_exec_pos((x), (v), (valopts), _k)) != 0; _k++)

static size_t
last_pos(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	size_t i, last = 0;
	FOR_POS(x, v, valopts, 0, i)
	last = i;
	return last;
}

/* The value of option at index i: the next arg, or what follows '='. */
static const struct ag_xarg *
opt_value(struct ag_exec_ctx *x, const struct ag_xview *v, size_t i, struct ag_xarg *tmp)
{
	const struct ag_xarg *a = ag_exec_arg(x, v, i);
	const char *eq = strchr(a->s, '=');
	if (eq != NULL && a->s[0] == '-') {
		*tmp = *a;
		tmp->s = eq + 1;
		tmp->len = a->len - (size_t)(eq + 1 - a->s);
		return tmp;
	}
	if (a->s[0] == '-' && a->s[1] != '-' && a->len > 2) {
		/* -ofile: attached value */
		*tmp = *a;
		tmp->s = a->s + 2;
		tmp->len = a->len - 2;
		return tmp;
	}
	return i + 1 < v->n ? ag_exec_arg(x, v, i + 1) : NULL;
}

static void
check_read(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts, int skip)
{
	size_t i;
	char buf[4096];
	FOR_POS(x, v, valopts, skip, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		const char *p = static_path(a, buf, sizeof buf);
		if (p != NULL && !ag_exec_read_path(x, p, strlen(p), a->start, a->end, "reads"))
			note_outside_read(x, p, a);
	}
}

static void
check_write_last(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts,
                 const char *verb)
{
	size_t t = ag_exec_opt(x, v, "-t|--target-directory");
	struct ag_xarg tmp;
	const struct ag_xarg *dest = NULL;
	if (t > 0)
		dest = opt_value(x, v, t, &tmp);
	else if (ag_exec_pos(x, v, valopts, 1) != 0)
		dest = ag_exec_arg(x, v, last_pos(x, v, valopts));
	if (dest != NULL && !dynamic_arg(dest))
		ag_exec_write_path(x, dest->s, dest->len, dest->start, dest->end, verb);
}

/* chmod MODE FILES */
static void
check_chmod(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	size_t mi = ag_exec_pos(x, v, valopts, 0);
	if (mi == 0)
		return;
	const struct ag_xarg *m = ag_exec_arg(x, v, mi);
	/* chmod -x / -w look like options: a mode anyway */
	const char *mode = m->s;
	int recursive = ag_exec_opt(x, v, "-R|--recursive") != 0;
	int world = 0, setid = 0, none = 0, exec = 0;
	size_t ml = strlen(mode);
	if (ml > 0 && strspn(mode, "01234567") == ml) {
		char last = mode[ml - 1];
		world = last == '2' || last == '3' || last == '6' || last == '7';
		if (ml == 4)
			setid = mode[0] == '4' || mode[0] == '2' || mode[0] == '6';
		none = strspn(mode, "0") == ml;
		exec = strchr("1357", mode[ml - 1]) != NULL ||
		       (ml >= 3 && strchr("1357", mode[ml - 3]));
	} else {
		world = strstr(mode, "o+w") || strstr(mode, "a+w") || strstr(mode, "o=rw") ||
		        strstr(mode, "a=rw") || strstr(mode, "+rwx") == mode ||
		        strstr(mode, "ugo+") || strstr(mode, "a+rwx") || strstr(mode, "o+rwx");
		setid = strstr(mode, "+s") != NULL || strstr(mode, "u+s") || strstr(mode, "g+s");
		exec = strstr(mode, "+x") != NULL;
	}
	size_t i;
	FOR_POS(x, v, valopts, 1, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		enum ag_target t =
		    dynamic_arg(a) ? AG_T_DYNAMIC
		                   : ag_exec_target(a->s, a->len, x->vcwd, x->vcwd_known, x->cwd);
		int big = t == AG_T_ROOT || t == AG_T_HOME || t == AG_T_SYSTEM;
		int score = 0;
		unsigned cats = W;
		const char *why = NULL;
		if (world) {
			score = big                                      ? (recursive ? 90 : 75)
			        : t == AG_T_OUTSIDE || t == AG_T_DYNAMIC ? 55
			        : recursive && t == AG_T_WORKSPACE       ? 45
			                                                 : 30;
			why = "makes files writable by everyone";
		}
		if (setid && score < (big ? 75 : 60)) {
			score = big ? 75 : 60;
			why = "sets the setuid/setgid bit";
		}
		if (none && big && score < 80) {
			score = 80;
			cats = D;
			why = "removes all permissions";
		}
		if (recursive && big && score < 70) {
			score = 70;
			cats = D | W;
			why = "changes permissions across";
		}
		struct ag_path_hit hit;
		if (!dynamic_arg(a) && ag_sensitive_path(a->s, a->len, AG_ACCESS_WRITE, &hit)) {
			if (world && hit.score > score) {
				score = hit.score;
				why = "makes a sensitive file writable by everyone";
			} else if (exec && strstr(hit.what, "hook") != NULL && score < 50) {
				score = 50;
				why = "makes a git hook executable";
			}
		}
		if (why != NULL)
			ag_exec_add(x, score, cats, a->start, a->end, "chmod %s %s (%s): %.*s",
			            mode, why, ag_exec_target_name(t), pct(a->len), a->s);
	}
}

static void
check_chown(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	int recursive = ag_exec_opt(x, v, "-R|--recursive") != 0;
	size_t i;
	FOR_POS(x, v, valopts, 1, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		enum ag_target t =
		    dynamic_arg(a) ? AG_T_DYNAMIC
		                   : ag_exec_target(a->s, a->len, x->vcwd, x->vcwd_known, x->cwd);
		int score = 0;
		if (t == AG_T_ROOT || t == AG_T_HOME || t == AG_T_SYSTEM)
			score = recursive ? 75 : 50;
		else if (t == AG_T_OUTSIDE)
			score = recursive ? 45 : 30;
		struct ag_path_hit hit;
		if (!dynamic_arg(a) && ag_sensitive_path(a->s, a->len, AG_ACCESS_WRITE, &hit) &&
		    hit.score > 60 && score < 60)
			score = 60;
		if (score > 0)
			ag_exec_add(x, score, D | W, a->start, a->end,
			            "changes ownership of %s: %.*s", ag_exec_target_name(t),
			            pct(a->len), a->s);
	}
}

/* ---- SQL ---- */

static int
sql_word(const char **p, const char *end, char *out, size_t size)
{
	const char *s = *p;
	for (;;) {
		while (s < end && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		                    *s == '_' || *s == ';' || *s == '\'' || *s == '(' || *s == '.'))
			s++;
		if (s < end && *s == '\'') {
			/* a string literal is data */
			s++;
			while (s < end && *s != '\'')
				s++;
			if (s < end)
				s++;
			continue;
		}
		break;
	}
	if (s >= end) {
		*p = s;
		return 0;
	}
	size_t n = 0;
	if (*s == ';' || *s == '(' || *s == '.') {
		out[n++] = *s++;
	} else {
		while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		                   *s == '_' || (*s >= '0' && *s <= '9'))) {
			if (n + 1 < size)
				out[n++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
			s++;
		}
	}
	out[n] = '\0';
	*p = s;
	return 1;
}

/* The worst statement in text: score and reason. */
static int
sql_scan(const char *text, size_t len, const char **why)
{
	const char *p = text, *end = text + len;
	char w[3][24] = {"", "", ""};
	int score = 0;
	/* state for DELETE/UPDATE without WHERE */
	int pending = 0, pending_score = 0;
	const char *pending_why = NULL;
	char cur[24];
	while (sql_word(&p, end, cur, sizeof cur)) {
		memmove(w[0], w[1], sizeof w[0]);
		memmove(w[1], w[2], sizeof w[0]);
		memcpy(w[2], cur, sizeof w[0]);
		if (strcmp(cur, ";") == 0) {
			if (pending && pending_score > score) {
				score = pending_score;
				*why = pending_why;
			}
			pending = 0;
			continue;
		}
		if (strcmp(w[1], "DROP") == 0 &&
		    (strcmp(cur, "DATABASE") == 0 || strcmp(cur, "SCHEMA") == 0) && score < 85) {
			score = 85;
			*why = "drops a database";
		} else if (strcmp(w[1], "DROP") == 0 && strcmp(cur, "TABLE") == 0 && score < 75) {
			score = 75;
			*why = "drops a table";
		} else if (strcmp(w[1], "DROP") == 0 &&
		           (strcmp(cur, "USER") == 0 || strcmp(cur, "ROLE") == 0 ||
		            strcmp(cur, "VIEW") == 0 || strcmp(cur, "INDEX") == 0) &&
		           score < 50) {
			score = 50;
			*why = "drops database objects";
		} else if (strcmp(cur, "TRUNCATE") == 0 && score < 75) {
			score = 75;
			*why = "empties a table (TRUNCATE)";
		} else if (strcmp(w[1], "DELETE") == 0 && strcmp(cur, "FROM") == 0) {
			pending = 1;
			pending_score = 75;
			pending_why = "deletes every row (DELETE without WHERE)";
		} else if (strcmp(w[0], "UPDATE") == 0 && strcmp(cur, "SET") == 0) {
			pending = 1;
			pending_score = 60;
			pending_why = "changes every row (UPDATE without WHERE)";
		} else if (strcmp(cur, "WHERE") == 0) {
			pending = 0;
		} else if (strcmp(w[0], "ALTER") == 0 && strcmp(w[1], "TABLE") == 0) {
			/* ALTER TABLE t DROP … is checked below */
		} else if (strcmp(cur, "DROP") == 0 && strcmp(w[0], "TABLE") == 0 && score < 55) {
			score = 55;
			*why = "drops a column";
		} else if (strcmp(cur, "DROPDATABASE") == 0 && score < 85) {
			score = 85;
			*why = "drops a database";
		} else if ((strcmp(cur, "DELETEMANY") == 0 || strcmp(cur, "REMOVE") == 0) &&
		           strcmp(w[1], ".") == 0) {
			pending = 1;
			pending_score = 70;
			pending_why = "deletes documents";
		} else if (strcmp(cur, "DROP") == 0 && strcmp(w[1], ".") == 0 && score < 75) {
			score = 75;
			*why = "drops a collection";
		} else if (strcmp(cur, "FLUSHALL") == 0 || strcmp(cur, "FLUSHDB") == 0) {
			if (score < 80) {
				score = 80;
				*why = "deletes every key";
			}
		}
	}
	if (pending && pending_score > score) {
		score = pending_score;
		*why = pending_why;
	}
	return score;
}

static void
sql_text(struct ag_exec_ctx *x, const char *t, size_t len, int start, int end)
{
	const char *why = NULL;
	int score = sql_scan(t, len, &why);
	if (score > 0 && why != NULL)
		ag_exec_add(x, score, D, start, end, "SQL %s", why);
}

static void
check_sql(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	struct ag_xarg tmp;
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (opt_match(a->s, a->len, "-c|--command|-e|--execute|-q|--query|--eval|-E")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val != NULL)
				sql_text(x, val->s, val->len, val->start, val->end);
		}
	}
	/* sqlite3 DB "SQL", duckdb DB "SQL", mysql -e …: every positional after
	 * the first may be SQL. */
	size_t i;
	FOR_POS(x, v, valopts, 1, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		sql_text(x, a->s, a->len, a->start, a->end);
	}
	/* heredocs and here-strings */
	const struct ag_sh *sh = &x->sh;
	const struct ag_sh_cmd *c = &sh->cmds[v->cmd];
	for (int k = 0; k < c->nredir; k++) {
		const struct ag_sh_redir *r = &sh->redirs[c->redir0 + k];
		int w = r->op == AG_SH_R_HEREDOC      ? r->body
		        : r->op == AG_SH_R_HERESTRING ? r->target
		                                      : -1;
		if (w >= 0)
			sql_text(x, ag_sh_wtext(sh, w), sh->words[w].len, sh->words[w].start,
			         sh->words[w].end);
	}
	/* echo "DROP TABLE x" | psql */
	int from;
	if (ag_exec_upstream(x, v->cmd, &from) & AG_CK_ECHO) {
		const struct ag_sh_cmd *f = &sh->cmds[from];
		for (int k = 1; k < f->nwords; k++) {
			const struct ag_sh_word *w = &sh->words[f->word0 + k];
			sql_text(x, sh->text + w->text, w->len, w->start, w->end);
		}
	}
}

/* ---- git ---- */

static int
is_main(const char *s, size_t len)
{
	const char *c = memchr(s, ':', len);
	if (c != NULL) {
		len -= (size_t)(c + 1 - s);
		s = c + 1;
	}
	if (len > 11 && memcmp(s, "refs/heads/", 11) == 0) {
		s += 11;
		len -= 11;
	}
	return (len == 4 && memcmp(s, "main", 4) == 0) ||
	       (len == 6 && memcmp(s, "master", 6) == 0) ||
	       (len == 7 && memcmp(s, "release", 7) == 0) ||
	       (len == 10 && memcmp(s, "production", 10) == 0);
}

static void
check_git_push(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	int main_target = 0;
	size_t i;
	FOR_POS(x, v, valopts, 1, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (is_main(a->s[0] == '+' ? a->s + 1 : a->s, a->s[0] == '+' ? a->len - 1 : a->len))
			main_target = 1;
	}
	FOR_POS(x, v, valopts, 1, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->s[0] == '+' && a->len > 1)
			ag_exec_add(x, main_target ? 80 : 70, D, a->start, a->end,
			            "force-pushes %.*s (rewrites history on the remote)",
			            pct(a->len - 1), a->s + 1);
		else if (a->s[0] == ':' && a->len > 1)
			ag_exec_add(x, 60, D, a->start, a->end, "deletes the remote branch %.*s",
			            pct(a->len - 1), a->s + 1);
	}
	size_t o;
	if ((o = ag_exec_opt(x, v, "-f|--force")) != 0) {
		const struct ag_xarg *a = ag_exec_arg(x, v, o);
		ag_exec_add(x, main_target ? 80 : 70, D, a->start, a->end,
		            "git push --force rewrites history on the remote%s",
		            main_target ? " (a main branch)" : "");
	}
	if ((o = ag_exec_opt(x, v, "--force-with-lease|--force-if-includes")) != 0) {
		const struct ag_xarg *a = ag_exec_arg(x, v, o);
		ag_exec_add(x, main_target ? 65 : 50, D, a->start, a->end,
		            "git push --force-with-lease rewrites history on the remote");
	}
	if ((o = ag_exec_opt(x, v, "--mirror")) != 0)
		ag_exec_add(x, 75, D, ag_exec_arg(x, v, o)->start, ag_exec_arg(x, v, o)->end,
		            "git push --mirror overwrites every ref on the remote");
	if ((o = ag_exec_opt(x, v, "-d|--delete")) != 0)
		ag_exec_add(x, 60, D, ag_exec_arg(x, v, o)->start, ag_exec_arg(x, v, o)->end,
		            "deletes remote branches");
	if ((o = ag_exec_opt(x, v, "--prune")) != 0)
		ag_exec_add(x, 55, D, ag_exec_arg(x, v, o)->start, ag_exec_arg(x, v, o)->end,
		            "deletes remote branches that are not local");
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int
falsey(const char *v)
{
	return strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
	       strcasecmp(v, "off") == 0;
}

/* One git configuration key being set to value (NULL when not given). */
static void
git_key(struct ag_exec_ctx *x, int ci, const char *key, size_t klen, const char *value, int start,
        int end)
{
	char k[128];
	if (klen >= sizeof k)
		klen = sizeof k - 1;
	memcpy(k, key, klen);
	k[klen] = '\0';
	lower(k);
	size_t n = strlen(k);
	const char *val = value ? value : "";
	if (strcmp(k, "core.hookspath") == 0)
		ag_exec_add(x, 70, W, start, end, "points git hooks at another directory: %s", val);
	else if (strcmp(k, "core.fsmonitor") == 0)
		ag_exec_add(x, 70, W, start, end,
		            "runs a program on every git command (core.fsmonitor)");
	else if (strcmp(k, "core.sshcommand") == 0 || strcmp(k, "core.pager") == 0 ||
	         strcmp(k, "core.editor") == 0 || strcmp(k, "sequence.editor") == 0 ||
	         strcmp(k, "diff.external") == 0 || strcmp(k, "gpg.program") == 0 ||
	         strcmp(k, "core.askpass") == 0 || (n > 6 && strcmp(k + n - 6, ".clean") == 0) ||
	         (n > 7 && strcmp(k + n - 7, ".smudge") == 0) ||
	         (n > 7 && strcmp(k + n - 7, ".driver") == 0) ||
	         (n > 8 && strcmp(k + n - 8, ".textconv") == 0))
		ag_exec_add(x, 45, W, start, end, "makes git run a program (%s)", k);
	else if (strncmp(k, "alias.", 6) == 0 && val[0] == '!')
		ag_exec_add(x, 40, W, start, end, "adds a git alias that runs a shell command");
	/* what these run is shell text: judge it too */
	if (value != NULL && value[0] != '\0' &&
	    (strcmp(k, "core.fsmonitor") == 0 || strcmp(k, "core.sshcommand") == 0 ||
	     strcmp(k, "core.pager") == 0 || strcmp(k, "core.editor") == 0 ||
	     (strncmp(k, "alias.", 6) == 0 && value[0] == '!'))) {
		const char *sh = value[0] == '!' ? value + 1 : value;
		struct ag_reparse rp = {ci,    -1, 0, strlen(sh), ag_exec_strdup(x, sh, strlen(sh)),
		                        start, end};
		ag_exec_queue(x, &rp);
	} else if ((strcmp(k, "http.sslverify") == 0 || (strncmp(k, "http.", 5) == 0 && n > 10 &&
	                                                 strcmp(k + n - 10, ".sslverify") == 0)) &&
	           value != NULL && falsey(value))
		ag_exec_add(x, 60, W, start, end, "turns off TLS verification for git");
	else if (strcmp(k, "credential.helper") == 0)
		ag_exec_add(x, strcmp(val, "store") == 0 ? 50 : 40, C, start, end,
		            "changes where git keeps credentials (%s)", val);
	else if (strncmp(k, "url.", 4) == 0 && n > 10 && strcmp(k + n - 10, ".insteadof") == 0)
		ag_exec_add(x, 45, W, start, end, "redirects git remotes to another URL");
	else if (strcmp(k, "safe.directory") == 0 && strcmp(val, "*") == 0)
		ag_exec_add(x, 35, W, start, end, "trusts every repository's configuration");
	else if (strcmp(k, "receive.denynonfastforwards") == 0 && value != NULL && falsey(value))
		ag_exec_add(x, 45, W, start, end, "allows force pushes to this repository");
}

static void
check_git_config(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	/* git config [--global] [--add|--replace-all] KEY [VALUE] */
	const char *valopts = "-C|-c|--file|-f|--blob|--type|--default|--comment|--git-dir";
	if (ag_exec_opt(x, v,
	                "-l|--list|--get|--get-all|--get-regexp|--unset|--unset-all|"
	                "--remove-section|--rename-section|-e|--edit"))
		return;
	size_t sub = 0, i;
	FOR_POS(x, v, valopts, 0, i)
	{
		if (strcmp(ag_exec_arg(x, v, i)->s, "config") == 0) {
			sub = (size_t)_k;
			break;
		}
	}
	size_t ki = ag_exec_pos(x, v, valopts, (int)sub + 1);
	if (ki == 0)
		return;
	/* git config set KEY VALUE (git 2.46+) */
	if (strcmp(ag_exec_arg(x, v, ki)->s, "set") == 0) {
		sub++;
		ki = ag_exec_pos(x, v, valopts, (int)sub + 1);
		if (ki == 0)
			return;
	}
	size_t vi = ag_exec_pos(x, v, valopts, (int)sub + 2);
	const struct ag_xarg *k = ag_exec_arg(x, v, ki);
	int s, e;
	ag_exec_span(x, v, ki, vi ? vi + 1 : ki + 1, &s, &e);
	git_key(x, v->cmd, k->s, k->len, vi ? ag_exec_arg(x, v, vi)->s : NULL, s, e);
}

static void
check_git_c(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	struct ag_xarg tmp;
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->s[0] != '-')
			break; /* the subcommand: -c after it means something else */
		if (strcmp(a->s, "-c") != 0 && strncmp(a->s, "--config-env", 12) != 0) {
			if (strcmp(a->s, "-C") == 0 || strcmp(a->s, "--git-dir") == 0 ||
			    strcmp(a->s, "--work-tree") == 0 || strcmp(a->s, "--namespace") == 0)
				i++;
			continue;
		}
		const struct ag_xarg *val = opt_value(x, v, i, &tmp);
		if (val == NULL)
			continue;
		const char *eq = memchr(val->s, '=', val->len);
		git_key(x, v->cmd, val->s, eq ? (size_t)(eq - val->s) : val->len,
		        eq ? eq + 1 : "true", a->start, val->end);
		i++;
	}
}

static void
check_git_checkout(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	size_t o = ag_exec_opt(x, v, "-f|--force");
	if (o != 0) {
		rule_reason(x, v, r, o, r->score);
		return;
	}
	for (size_t i = 1; i < v->n; i++) {
		const char *t = ag_exec_arg(x, v, i)->s;
		if (strcmp(t, "--") == 0 || strcmp(t, ".") == 0 || strcmp(t, "*") == 0 ||
		    strcmp(t, ":/") == 0) {
			rule_reason(x, v, r, i, r->score);
			return;
		}
	}
}

static void
check_git_restore(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	int staged = ag_exec_opt(x, v, "-S|--staged") != 0;
	int worktree = ag_exec_opt(x, v, "-W|--worktree") != 0;
	if (staged && !worktree)
		return;
	if (ag_exec_pos(x, v, "-s|--source", 1) == 0 && !ag_exec_opt(x, v, "--pathspec-from-file"))
		return;
	rule_reason(x, v, r, ag_exec_pos(x, v, "-s|--source", 0), r->score);
}

/* ---- network ---- */

/* The host of a URL-ish arg, in buf. */
static int
url_host(const char *s, size_t len, char *buf, size_t size)
{
	const char *p = s, *end = s + len;
	const char *scheme = strstr(s, "://");
	if (scheme != NULL && scheme < end)
		p = scheme + 3;
	else if (len > 0 && (s[0] == '-' || s[0] == '@' || s[0] == '/' || s[0] == '.'))
		return 0;
	const char *at = NULL;
	for (const char *q = p; q < end && *q != '/'; q++)
		if (*q == '@')
			at = q;
	if (at != NULL)
		p = at + 1;
	size_t n = 0;
	while (p < end && *p != '/' && *p != ':' && *p != '?' && *p != '#' && n + 1 < size)
		buf[n++] = *p++;
	buf[n] = '\0';
	return n > 0 && memchr(buf, '.', n) != NULL;
}

/* A file from outside the workspace (/etc/passwd, ~/notes) leaving the
 * machine is worth stopping even when it is not a known secret. */
static void
upload_outside(struct ag_exec_ctx *x, const char *f, size_t flen, int start, int end)
{
	enum ag_target t = ag_exec_target(f, flen, x->vcwd, x->vcwd_known, x->cwd);
	if (t == AG_T_SYSTEM || t == AG_T_HOME || t == AG_T_ROOT || t == AG_T_OUTSIDE)
		ag_exec_add(x, 55, X, start, end, "uploads a file from %s: %.*s",
		            ag_exec_target_name(t), pct(flen), f);
}

static void
upload_file(struct ag_exec_ctx *x, const struct ag_xarg *val)
{
	/* -d @file, -F name=@file, -T file */
	const char *at = memchr(val->s, '@', val->len);
	const char *f = val->s;
	size_t flen = val->len;
	if (at != NULL) {
		f = at + 1;
		flen = val->len - (size_t)(at + 1 - val->s);
		const char *semi = memchr(f, ';', flen);
		if (semi != NULL)
			flen = (size_t)(semi - f);
	}
	if (flen == 1 && f[0] == '-')
		return; /* stdin: the flow rules judge what feeds it */
	if (ag_exec_read_path(x, f, flen, val->start, val->end, "uploads"))
		ag_exec_add(x, 90, X | C, val->start, val->end, "uploads a secret file: %.*s",
		            pct(flen), f);
	else
		upload_outside(x, f, flen, val->start, val->end);
}

/* Any argument built from a substitution that reads a secret. */
static void
secret_substs(struct ag_exec_ctx *x, const struct ag_xview *v, const char *who)
{
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (!(a->flags & AG_SH_W_SUBST) || a->word < 0)
			continue;
		unsigned k = ag_exec_subst_kinds(x, v->cmd, a->word);
		if (k & AG_CK_SECRET) {
			ag_exec_add(x, 90, X | C, a->start, a->end,
			            "%s sends a secret read by %.*s", who, pct(a->len), a->s);
			ag_exec_note_send(x, a->start, a->end);
		}
	}
}

static void
check_curl(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts, int wget)
{
	struct ag_xarg tmp;
	int send = 0, ss = -1, se = -1;
	const char *send_opts = wget ? "--post-data|--post-file|--body-data|--body-file|--method"
	                             : "-d|--data|--data-binary|--data-raw|--data-urlencode|--data-"
	                               "ascii|--json|-F|--form|"
	                               "--form-string|-T|--upload-file";
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->s[0] != '-')
			continue;
		if (opt_match(a->s, a->len, send_opts)) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (wget && opt_match(a->s, a->len, "--method") && val != NULL &&
			    strcasecmp(val->s, "GET") == 0)
				continue;
			send = 1;
			ss = a->start;
			se = val ? val->end : a->end;
			if (val != NULL) {
				if (!wget && (opt_match(a->s, a->len, "-T|--upload-file")))
					ag_exec_read_path(x, val->s, val->len, val->start, val->end,
					                  "uploads");
				else if (wget &&
				         opt_match(a->s, a->len, "--post-file|--body-file")) {
					if (ag_exec_read_path(x, val->s, val->len, val->start,
					                      val->end, "uploads"))
						ag_exec_add(x, 90, X | C, val->start, val->end,
						            "uploads a secret file: %.*s",
						            pct(val->len), val->s);
					else
						upload_outside(x, val->s, val->len, val->start,
						               val->end);
				} else if (!wget)
					upload_file(x, val);
			}
		} else if (!wget && opt_match(a->s, a->len, "-X|--request")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val != NULL &&
			    (strcasecmp(val->s, "POST") == 0 || strcasecmp(val->s, "PUT") == 0 ||
			     strcasecmp(val->s, "PATCH") == 0)) {
				send = 1;
				ss = a->start;
				se = val->end;
			} else if (val != NULL && strcasecmp(val->s, "DELETE") == 0) {
				ag_exec_add(x, 30, D, a->start, val->end, "sends an HTTP DELETE");
			}
		} else if (opt_match(a->s, a->len, wget ? "-O|--output-document" : "-o|--output")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val != NULL && !(val->len == 1 && val->s[0] == '-')) {
				ag_exec_write_path(x, val->s, val->len, val->start, val->end,
				                   "downloads over");
				ag_exec_note_download(x, val->s, val->len);
			}
		} else if (opt_match(a->s, a->len,
		                     wget ? "--no-check-certificate" : "-k|--insecure")) {
			ag_exec_add(x, 30, W, a->start, a->end, "turns off TLS certificate checks");
		}
	}
	if (!wget && ag_exec_opt(x, v, "-O|--remote-name|--remote-name-all")) {
		size_t u = ag_exec_pos(x, v, valopts, 0);
		if (u != 0) {
			const struct ag_xarg *a = ag_exec_arg(x, v, u);
			const char *slash = strrchr(a->s, '/');
			if (slash && slash[1])
				ag_exec_note_download(x, slash + 1, strlen(slash + 1));
		}
	}
	if (wget && !ag_exec_opt(x, v, "-O|--output-document|-q|--spider")) {
		size_t u = ag_exec_pos(x, v, valopts, 0);
		if (u != 0) {
			const struct ag_xarg *a = ag_exec_arg(x, v, u);
			const char *slash = strrchr(a->s, '/');
			if (slash && slash[1])
				ag_exec_note_download(x, slash + 1, strlen(slash + 1));
		}
	}
	/* the URL(s) */
	size_t i;
	FOR_POS(x, v, valopts, 0, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (strncmp(a->s, "file://", 7) == 0) {
			ag_exec_read_path(x, a->s + 7, a->len - 7, a->start, a->end, "reads");
			continue;
		}
		char host[256];
		if (!url_host(a->s, a->len, host, sizeof host))
			continue;
		const char *what = ag_sensitive_host(host, strlen(host));
		if (what != NULL)
			ag_exec_add(x, send ? 75 : 40, X, a->start, a->end, "%s to a %s: %s",
			            send ? "uploads data" : "connects", what, host);
		else if (send)
			ag_exec_add(x, 25, X, ss, se, "uploads data to %s", host);
	}
	if (send)
		ag_exec_note_send(x, ss, se);
	secret_substs(x, v, wget ? "wget" : "curl");
}

/* Whether some command in the same pipeline is an interactive shell. */
static int
pipeline_shell(struct ag_exec_ctx *x, int ci)
{
	const struct ag_sh *sh = &x->sh;
	int pipe = sh->cmds[ci].pipe;
	if (sh->pipes[pipe].nstages < 2 || !ag_exec_flow_scan(x))
		return 0;
	for (size_t j = 0; j < sh->ncmds; j++) {
		const struct ag_sh_cmd *c = &sh->cmds[j];
		if ((int)j == ci || c->pipe != pipe || c->nwords == 0)
			continue;
		char name[64];
		const char *t = ag_sh_wtext(sh, c->word0);
		ag_exec_name(t, strlen(t), name, sizeof name);
		if (spec_has("sh|bash|zsh|dash|ksh|ash|fish", name, strlen(name)))
			return 1;
	}
	return 0;
}

static void
check_nc(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	size_t o = ag_exec_opt(x, v, "-e|-c|--exec|--sh-exec|--lua-exec");
	int s, e;
	ag_exec_span(x, v, 0, v->n, &s, &e);
	if (o != 0) {
		ag_exec_add(x, 95, X | W, s, e, "opens a remote shell with %s", v->name);
		ag_exec_note_send(x, s, e);
		return;
	}
	if (pipeline_shell(x, v->cmd) && !ag_exec_opt(x, v, "-z")) {
		ag_exec_add(x, 95, X | W, s, e, "reverse shell: a shell piped through %s", v->name);
		ag_exec_note_send(x, s, e);
		return;
	}
	if (ag_exec_opt(x, v, "-l|--listen")) {
		ag_exec_add(x, 35, W, s, e, "listens for network connections");
		return;
	}
	if (ag_exec_opt(x, v, "-z|-zv|-vz"))
		return; /* a port scan of one host: nothing is sent */
	size_t h = ag_exec_pos(x, v, valopts, 0);
	if (h != 0) {
		const struct ag_xarg *a = ag_exec_arg(x, v, h);
		const char *what = ag_sensitive_host(a->s, a->len);
		if (what != NULL)
			ag_exec_add(x, 70, X, a->start, a->end, "sends data to a %s: %.*s", what,
			            pct(a->len), a->s);
	}
	ag_exec_add(x, 25, X, s, e, "sends data over a raw network connection");
	ag_exec_note_send(x, s, e);
}

static void
check_socat(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	int s, e, exec = 0, listen = 0, net = 0;
	ag_exec_span(x, v, 0, v->n, &s, &e);
	for (size_t i = 1; i < v->n; i++) {
		const char *t = ag_exec_arg(x, v, i)->s;
		if (strncasecmp(t, "exec:", 5) == 0 || strncasecmp(t, "system:", 7) == 0)
			exec = 1;
		if (strncasecmp(t, "tcp-listen", 10) == 0 ||
		    strncasecmp(t, "udp-listen", 10) == 0 ||
		    strncasecmp(t, "openssl-listen", 14) == 0)
			listen = 1;
		if (strncasecmp(t, "tcp", 3) == 0 || strncasecmp(t, "udp", 3) == 0 ||
		    strncasecmp(t, "openssl", 7) == 0)
			net = 1;
	}
	if (exec && net)
		ag_exec_add(x, 95, X | W, s, e, "connects a shell to the network with socat");
	else if (listen)
		ag_exec_add(x, 35, W, s, e, "listens for network connections");
	else if (net)
		ag_exec_add(x, 25, X, s, e, "sends data over a raw network connection");
	if (net)
		ag_exec_note_send(x, s, e);
}

/* host:path, user@host:path, rsync://… */
static int
remote_path(const char *s, size_t len)
{
	if (len > 8 && (memcmp(s, "rsync://", 8) == 0 || memcmp(s, "scp://", 6) == 0 ||
	                memcmp(s, "sftp://", 7) == 0))
		return 1;
	const char *colon = memchr(s, ':', len);
	if (colon == NULL || colon == s || s[0] == '/' || s[0] == '.')
		return 0;
	for (const char *p = s; p < colon; p++)
		if (*p == '/')
			return 0;
	return 1;
}

static void
check_remote_copy(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
                  const char *valopts)
{
	size_t last = last_pos(x, v, valopts);
	if (last == 0 || ag_exec_pos(x, v, valopts, 1) == 0)
		return;
	const struct ag_xarg *dest = ag_exec_arg(x, v, last);
	if (remote_path(dest->s, dest->len)) {
		size_t i;
		FOR_POS(x, v, valopts, 0, i)
		{
			if (i == last)
				break;
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			if (!dynamic_arg(a))
				ag_exec_read_path(x, a->s, a->len, a->start, a->end, "copies away");
		}
		ag_exec_add(x, r->score, r->cats, dest->start, dest->end, "%s: %.*s", r->reason,
		            pct(dest->len), dest->s);
		ag_exec_note_send(x, dest->start, dest->end);
	} else {
		ag_exec_write_path(x, dest->s, dest->len, dest->start, dest->end, "copies over");
	}
}

static void
check_cloud_upload(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
                   const char *valopts)
{
	size_t last = last_pos(x, v, valopts);
	if (last == 0)
		return;
	const struct ag_xarg *dest = ag_exec_arg(x, v, last);
	int remote = strncmp(dest->s, "gs://", 5) == 0 || strncmp(dest->s, "s3://", 5) == 0 ||
	             (strcmp(v->name, "rclone") == 0 && remote_path(dest->s, dest->len));
	if (!remote)
		return;
	size_t i;
	FOR_POS(x, v, valopts, 1, i)
	{
		if (i == last)
			break;
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (!dynamic_arg(a) && strncmp(a->s, "gs://", 5) && strncmp(a->s, "s3://", 5))
			ag_exec_read_path(x, a->s, a->len, a->start, a->end, "uploads");
	}
	ag_exec_add(x, r->score, r->cats, dest->start, dest->end, "%s: %.*s", r->reason,
	            pct(dest->len), dest->s);
	ag_exec_note_send(x, dest->start, dest->end);
}

static void
check_dns(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (!dynamic_arg(a) || a->s[0] == '-')
			continue;
		unsigned k = ag_exec_subst_kinds(x, v->cmd, a->word);
		int secret = (k & AG_CK_SECRET) != 0;
		/* $HOST alone is a variable host, not data smuggled in a name. */
		if (!(a->flags & AG_SH_W_SUBST) && a->s[0] == '$' && !strchr(a->s, '.'))
			continue;
		ag_exec_add(x, secret ? 90 : r->score, r->cats | (secret ? C : 0), a->start, a->end,
		            "%s: %.*s", r->reason, pct(a->len), a->s);
		ag_exec_note_send(x, a->start, a->end);
	}
}

/* ---- services, processes, containers ---- */

static void
check_systemctl(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	static const char *const security[] = {"firewalld",
	                                       "ufw",
	                                       "iptables",
	                                       "ip6tables",
	                                       "nftables",
	                                       "apparmor",
	                                       "auditd",
	                                       "fail2ban",
	                                       "clamav-daemon",
	                                       "clamd",
	                                       "falcon-sensor",
	                                       "osqueryd",
	                                       "wazuh-agent",
	                                       "ossec",
	                                       "sshguard",
	                                       "crowdstrike",
	                                       "sentinelone",
	                                       "selinux",
	                                       "aide",
	                                       "rkhunter",
	                                       "apt-daily-upgrade",
	                                       "unattended-upgrades",
	                                       "systemd-journald",
	                                       "rsyslog",
	                                       NULL};
	size_t vi = ag_exec_pos(x, v, valopts, 0);
	if (vi == 0)
		return;
	const struct ag_xarg *verb = ag_exec_arg(x, v, vi);
	int stop = spec_has("stop|disable|mask|kill", verb->s, verb->len);
	int enable = strcmp(verb->s, "enable") == 0 || strcmp(verb->s, "link") == 0;
	size_t i;
	FOR_POS(x, v, valopts, 1, i)
	{
		const struct ag_xarg *u = ag_exec_arg(x, v, i);
		size_t ul = u->len;
		const char *dot = strrchr(u->s, '.');
		if (dot != NULL && (strcmp(dot, ".service") == 0 || strcmp(dot, ".socket") == 0))
			ul = (size_t)(dot - u->s);
		int sec = 0;
		for (size_t k = 0; security[k] != NULL; k++)
			if (strlen(security[k]) == ul && memcmp(security[k], u->s, ul) == 0)
				sec = 1;
		if (stop && sec)
			ag_exec_add(x, 70, W, u->start, u->end, "stops a security service: %.*s",
			            pct(u->len), u->s);
		else if (stop)
			ag_exec_add(x, strcmp(verb->s, "mask") == 0 ? 35 : 25, D, u->start, u->end,
			            "stops a service: %.*s", pct(u->len), u->s);
		else if (enable)
			ag_exec_add(x, 55, W, u->start, u->end,
			            "makes a service start at boot: %.*s", pct(u->len), u->s);
	}
}

static void
check_kill(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	/* kill -9 -1: every process; kill 1: init. -1 right after "kill" is
	 * a signal number (SIGHUP). */
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		int last_dash1 = strcmp(a->s, "-1") == 0 && i > 1;
		if (last_dash1 || (strcmp(a->s, "1") == 0 && i > 0)) {
			if (strcmp(a->s, "1") == 0 && i > 1 &&
			    (strcmp(ag_exec_arg(x, v, i - 1)->s, "-s") == 0 ||
			     strcmp(ag_exec_arg(x, v, i - 1)->s, "-n") == 0))
				continue;
			ag_exec_add(x, r->score, r->cats, a->start, a->end, "%s",
			            last_dash1 ? "kills every process you can signal"
			                       : "kills init (pid 1)");
			return;
		}
	}
}

static void
check_docker_run(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	struct ag_xarg tmp;
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->s[0] != '-')
			continue;
		if (opt_match(a->s, a->len, "--privileged")) {
			ag_exec_add(x, 65, W, a->start, a->end,
			            "runs a privileged container (root on the host)");
			continue;
		}
		if (opt_match(a->s, a->len, "-v|--volume|--mount")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val == NULL)
				continue;
			const char *src = val->s;
			size_t sl = val->len;
			const char *p = strstr(val->s, "source=");
			if (p == NULL)
				p = strstr(val->s, "src=");
			if (p != NULL) {
				src = strchr(p, '=') + 1;
				const char *comma = strchr(src, ',');
				sl = comma ? (size_t)(comma - src) : strlen(src);
			} else {
				const char *colon = memchr(src, ':', sl);
				if (colon != NULL)
					sl = (size_t)(colon - src);
			}
			enum ag_target t = ag_exec_target(src, sl, x->vcwd, x->vcwd_known, x->cwd);
			struct ag_path_hit hit;
			char hb[4096];
			const char *hp =
			    sl < sizeof hb ? ag_exec_static_path(src, sl, val->flags, hb, sizeof hb)
			                   : NULL;
			if (hp != NULL &&
			    ag_sensitive_path(hp, hp == hb ? strlen(hb) : sl, AG_ACCESS_READ,
			                      &hit) &&
			    hit.score >= 50) {
				ag_exec_add(x, 70, C, val->start, val->end,
				            "mounts %s into a container: %.*s", hit.what, (int)sl,
				            src);
				ag_exec_note_secret(x, val->start, val->end, hit.what);
				continue;
			}
			if (sl >= 11 && memmem(src, sl, "docker.sock", 11) != NULL)
				ag_exec_add(
				    x, 70, W, val->start, val->end,
				    "gives a container the Docker socket (root on the host)");
			else if (t == AG_T_ROOT)
				ag_exec_add(x, 80, W, val->start, val->end,
				            "mounts the host's root filesystem into a container");
			else if (t == AG_T_HOME || t == AG_T_SYSTEM)
				ag_exec_add(x, 60, W, val->start, val->end,
				            "mounts %s into a container: %.*s",
				            ag_exec_target_name(t), (int)sl, src);
			continue;
		}
		if (opt_match(a->s, a->len, "--pid|--net|--network|--ipc|--uts|--userns")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val != NULL && strcmp(val->s, "host") == 0)
				ag_exec_add(x, 45, W, a->start, val->end,
				            "shares the host's namespaces: %.*s", pct(a->len),
				            a->s);
			continue;
		}
		if (opt_match(a->s, a->len, "--cap-add")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val != NULL &&
			    (strcasecmp(val->s, "ALL") == 0 || strcasestr(val->s, "SYS_ADMIN") ||
			     strcasestr(val->s, "SYS_PTRACE") || strcasestr(val->s, "SYS_MODULE")))
				ag_exec_add(x, 55, W, a->start, val->end,
				            "gives a container host capabilities");
			continue;
		}
		if (opt_match(a->s, a->len, "--security-opt")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val != NULL &&
			    (strstr(val->s, "unconfined") || strstr(val->s, "disable")))
				ag_exec_add(x, 50, W, a->start, val->end,
				            "turns off a container's confinement");
			continue;
		}
		if (opt_match(a->s, a->len, "--device")) {
			const struct ag_xarg *val = opt_value(x, v, i, &tmp);
			if (val != NULL)
				ag_exec_write_path(x, val->s, strcspn(val->s, ":"), val->start,
				                   val->end, "gives a container");
		}
	}
}

static void
check_kube_delete(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
                  const char *valopts)
{
	size_t o = ag_exec_opt(x, v, "--all|-A|--all-namespaces");
	size_t ti = ag_exec_pos(x, v, valopts, 1);
	int big = o != 0;
	if (ti != 0) {
		const struct ag_xarg *t = ag_exec_arg(x, v, ti);
		static const char *const kinds =
		    "namespace|namespaces|ns|node|nodes|no|pv|persistentvolume|persistentvolumes|"
		    "pvc|persistentvolumeclaim|persistentvolumeclaims|crd|crds|"
		    "customresourcedefinition|customresourcedefinitions|clusterrole|clusterroles|"
		    "clusterrolebinding|all|statefulset|statefulsets|sts";
		size_t tl = strcspn(t->s, "/,");
		if (spec_has(kinds, t->s, tl))
			big = 1;
	}
	int s, e;
	ag_exec_span(x, v, 0, v->n, &s, &e);
	ag_exec_add(x, big ? 85 : r->score, r->cats, s, e, "%s%s", r->reason,
	            big ? " (namespaces, volumes, nodes or everything)" : "");
}

static void
check_kube_secret(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
                  const char *valopts)
{
	size_t ti = ag_exec_pos(x, v, valopts, 1);
	if (ti == 0)
		return;
	const struct ag_xarg *t = ag_exec_arg(x, v, ti);
	if (strncmp(t->s, "secret", 6) != 0)
		return;
	int describe = strcmp(ag_exec_arg(x, v, ag_exec_pos(x, v, valopts, 0))->s, "describe") == 0;
	size_t o = ag_exec_opt(x, v, "-o|--output");
	struct ag_xarg tmp;
	const struct ag_xarg *val = o ? opt_value(x, v, o, &tmp) : NULL;
	int dump = val != NULL &&
	           (strncmp(val->s, "yaml", 4) == 0 || strncmp(val->s, "json", 4) == 0 ||
	            strncmp(val->s, "jsonpath", 8) == 0 || strncmp(val->s, "go-template", 11) == 0);
	if (dump)
		ag_exec_add(x, r->score, r->cats, t->start, val->end, "%s", r->reason);
	else
		ag_exec_add(x, describe ? 30 : 25, C, t->start, t->end, "lists Kubernetes secrets");
}

static int
destroy_verb(const char *s, size_t len)
{
	static const char *const verbs[] = {"delete", "destroy",    "terminate", "remove",
	                                    "purge",  "deregister", "drop",      "wipe",
	                                    "erase",  "rm",         "rb",        NULL};
	for (size_t i = 0; verbs[i] != NULL; i++) {
		size_t n = strlen(verbs[i]);
		if (len >= n && memcmp(s, verbs[i], n) == 0 &&
		    (len == n || s[n] == '-' || s[n] == '_' ||
		     (n > 2 && s[n] >= 'A' && s[n] <= 'Z')))
			return 1;
	}
	return 0;
}

static void
check_cloud_verb(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
                 const char *valopts)
{
	for (int k = 0; k < 4; k++) {
		size_t i = ag_exec_pos(x, v, valopts, k);
		if (i == 0)
			return;
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (destroy_verb(a->s, a->len)) {
			ag_exec_add(x, r->score, r->cats, a->start, a->end, "%s (%s)", r->reason,
			            a->s);
			return;
		}
	}
}

static void
check_aws(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	size_t si = ag_exec_pos(x, v, valopts, 0), oi = ag_exec_pos(x, v, valopts, 1);
	if (si == 0 || oi == 0)
		return;
	const struct ag_xarg *svc = ag_exec_arg(x, v, si), *op = ag_exec_arg(x, v, oi);
	int s = svc->start, e = op->end;
#define IS(a, str) (strcmp((a)->s, (str)) == 0)
	if (IS(svc, "s3")) {
		if (IS(op, "rm"))
			ag_exec_add(x, ag_exec_opt(x, v, "--recursive") ? 80 : 50, D, s, e,
			            "deletes S3 objects%s",
			            ag_exec_opt(x, v, "--recursive") ? " recursively" : "");
		else if (IS(op, "rb"))
			ag_exec_add(x, ag_exec_opt(x, v, "--force") ? 80 : 70, D, s, e,
			            "deletes an S3 bucket");
		else if (IS(op, "sync") && ag_exec_opt(x, v, "--delete"))
			ag_exec_add(x, 60, D, s, e, "mirrors S3 with deletion");
		if (IS(op, "cp") || IS(op, "mv") || IS(op, "sync")) {
			size_t last = last_pos(x, v, valopts);
			const struct ag_xarg *d = ag_exec_arg(x, v, last);
			if (last > oi + 1 && strncmp(d->s, "s3://", 5) == 0) {
				size_t i;
				FOR_POS(x, v, valopts, 2, i)
				{
					if (i == last)
						break;
					const struct ag_xarg *a = ag_exec_arg(x, v, i);
					if (!dynamic_arg(a) && strncmp(a->s, "s3://", 5) != 0)
						ag_exec_read_path(x, a->s, a->len, a->start, a->end,
						                  "uploads");
				}
				ag_exec_add(x, 30, X, d->start, d->end, "uploads data to S3: %.*s",
				            pct(d->len), d->s);
				ag_exec_note_send(x, d->start, d->end);
			}
		}
		return;
	}
	if ((IS(svc, "secretsmanager") && IS(op, "get-secret-value")) ||
	    (IS(svc, "ssm") &&
	     (IS(op, "get-parameter") || IS(op, "get-parameters") ||
	      IS(op, "get-parameters-by-path")) &&
	     ag_exec_opt(x, v, "--with-decryption")) ||
	    (IS(svc, "kms") && IS(op, "decrypt"))) {
		ag_exec_add(x, 55, C, s, e, "reads a cloud secret");
		return;
	}
	if (IS(svc, "iam") && (IS(op, "create-access-key") || IS(op, "create-login-profile"))) {
		ag_exec_add(x, 60, C, s, e, "creates new cloud credentials");
		return;
	}
	if (IS(svc, "sts") && (IS(op, "get-session-token") || IS(op, "assume-role") ||
	                       IS(op, "get-federation-token"))) {
		ag_exec_add(x, 35, C, s, e, "mints temporary cloud credentials");
		return;
	}
	if (IS(svc, "configure") && (IS(op, "export-credentials") || IS(op, "get"))) {
		size_t k = ag_exec_pos(x, v, valopts, 2);
		if (IS(op, "export-credentials") ||
		    (k != 0 && (strstr(ag_exec_arg(x, v, k)->s, "secret") ||
		                strstr(ag_exec_arg(x, v, k)->s, "session_token") ||
		                strstr(ag_exec_arg(x, v, k)->s, "access_key"))))
			ag_exec_add(x, 60, C, s, e, "prints AWS credentials");
		return;
	}
	if (IS(svc, "iam") && strncmp(op->s, "attach-", 7) == 0) {
		for (size_t i = 1; i < v->n; i++)
			if (strstr(ag_exec_arg(x, v, i)->s, "AdministratorAccess"))
				ag_exec_add(x, 60, W, s, e, "grants administrator access");
	}
	if (IS(svc, "ec2") && strncmp(op->s, "authorize-security-group", 24) == 0) {
		for (size_t i = 1; i < v->n; i++)
			if (strstr(ag_exec_arg(x, v, i)->s, "0.0.0.0/0") ||
			    strstr(ag_exec_arg(x, v, i)->s, "::/0"))
				ag_exec_add(x, 55, W, s, e,
				            "opens a security group to the whole internet");
	}
	if (IS(svc, "s3api") &&
	    (strncmp(op->s, "put-bucket-acl", 14) == 0 ||
	     strncmp(op->s, "put-object-acl", 14) == 0 || IS(op, "put-bucket-policy") ||
	     IS(op, "delete-public-access-block"))) {
		int pub = IS(op, "delete-public-access-block");
		for (size_t i = 1; i < v->n; i++)
			pub |= strstr(ag_exec_arg(x, v, i)->s, "public-read") != NULL ||
			       strstr(ag_exec_arg(x, v, i)->s, "\"*\"") != NULL;
		if (pub)
			ag_exec_add(x, 60, W | X, s, e, "makes S3 data public");
	}
	if (IS(op, "schedule-key-deletion") ||
	    (IS(svc, "rds") && strncmp(op->s, "delete-db", 9) == 0) ||
	    (IS(svc, "dynamodb") && IS(op, "delete-table")) ||
	    (IS(svc, "eks") && IS(op, "delete-cluster"))) {
		ag_exec_add(x, 85, D, s, e, "deletes a cloud database, cluster or key: %s %s",
		            svc->s, op->s);
		return;
	}
	if ((IS(svc, "ec2") && IS(op, "terminate-instances")) ||
	    (IS(svc, "cloudformation") && IS(op, "delete-stack"))) {
		ag_exec_add(x, 80, D, s, e, "deletes cloud infrastructure: %s %s", svc->s, op->s);
		return;
	}
	if (destroy_verb(op->s, op->len))
		ag_exec_add(x, 65, D, s, e, "deletes cloud resources: %s %s", svc->s, op->s);
#undef IS
}

/* ---- packages ---- */

static int
url_like(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
	       strncmp(s, "git+", 4) == 0 || strncmp(s, "git://", 6) == 0 ||
	       strncmp(s, "github:", 7) == 0 || strncmp(s, "gitlab:", 7) == 0 ||
	       strncmp(s, "bitbucket:", 10) == 0 || strncmp(s, "ftp://", 6) == 0 ||
	       (strstr(s, "://") != NULL && strncmp(s, "file://", 7) != 0);
}

static void
check_pkg_source(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
                 const char *valopts)
{
	struct ag_xarg tmp;
	int installs = 0;
	size_t i;
	FOR_POS(x, v, valopts, 1, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (strcmp(a->s, "install") == 0 || strcmp(a->s, "add") == 0)
			continue;
		installs++;
		if (url_like(a->s))
			ag_exec_add(x, 50, W, a->start, a->end,
			            "installs a package from a URL (its install scripts run): %.*s",
			            pct(a->len), a->s);
	}
	size_t o = ag_exec_opt(x, v, "-i|--index-url|--extra-index-url|--registry|--index");
	if (o != 0) {
		const struct ag_xarg *val = opt_value(x, v, o, &tmp);
		char host[256];
		if (val != NULL && url_host(val->s, val->len, host, sizeof host) &&
		    !ag_trusted_host(host, strlen(host)))
			ag_exec_add(x, 45, W, val->start, val->end,
			            "installs from an unofficial package index: %s", host);
		if (val != NULL && strncmp(val->s, "http://", 7) == 0)
			ag_exec_add(x, 50, W, val->start, val->end,
			            "installs from a package index without TLS");
	}
	if (installs > 0)
		rule_reason(x, v, r, ag_exec_pos(x, v, valopts, 0), r->score);
}

static void
check_pkg_config(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		const char *t = a->s;
		const struct ag_xarg *next = i + 1 < v->n ? ag_exec_arg(x, v, i + 1) : NULL;
		const char *val = strchr(t, '=') ? strchr(t, '=') + 1 : next ? next->s : "";
		int end = next && !strchr(t, '=') ? next->end : a->end;
		if ((strncmp(t, "strict-ssl", 10) == 0 || strncmp(t, "ssl_verify", 10) == 0 ||
		     strncmp(t, "strictSSL", 9) == 0 || strstr(t, "sslVerify") ||
		     strstr(t, "ssl-verify")) &&
		    falsey(val))
			ag_exec_add(x, 60, W, a->start, end,
			            "turns off TLS checks for the package manager");
		else if (strstr(t, "trusted-host") != NULL)
			ag_exec_add(x, 55, W, a->start, end,
			            "trusts a package index without TLS checks");
		else if ((strncmp(t, "registry", 8) == 0 || strstr(t, "index-url") != NULL) &&
		         strncmp(val, "http://", 7) == 0)
			ag_exec_add(x, 50, W, a->start, end, "uses a package index without TLS");
	}
}

/* ---- firewall, kernel, users ---- */

static void
check_iptables(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	size_t o = ag_exec_opt(x, v, "-F|--flush|-X|--delete-chain");
	if (o != 0) {
		ag_exec_add(x, 65, W, ag_exec_arg(x, v, o)->start, ag_exec_arg(x, v, o)->end,
		            "flushes firewall rules");
		return;
	}
	o = ag_exec_opt(x, v, "-I|-A|--insert|--append");
	if (o != 0 && !ag_exec_opt(x, v,
	                           "-s|--source|-p|--protocol|--dport|--sport|-i|--in-interface|-m|"
	                           "--match|-d|--destination")) {
		for (size_t i = o + 1; i + 1 < v->n; i++)
			if (strcmp(ag_exec_arg(x, v, i)->s, "-j") == 0 &&
			    strcmp(ag_exec_arg(x, v, i + 1)->s, "ACCEPT") == 0)
				ag_exec_add(x, 55, W, ag_exec_arg(x, v, o)->start,
				            ag_exec_arg(x, v, i + 1)->end,
				            "accepts all traffic on a chain");
	}
	o = ag_exec_opt(x, v, "-P|--policy");
	if (o != 0) {
		for (size_t i = o + 1; i < v->n; i++)
			if (strcmp(ag_exec_arg(x, v, i)->s, "ACCEPT") == 0)
				ag_exec_add(x, 60, W, ag_exec_arg(x, v, o)->start,
				            ag_exec_arg(x, v, i)->end,
				            "sets the firewall's default policy to ACCEPT");
	}
}

static void
check_sysctl(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	static const char *const settings[] = {"randomize_va_space=0",
	                                       "ptrace_scope=0",
	                                       "kptr_restrict=0",
	                                       "dmesg_restrict=0",
	                                       "unprivileged_bpf_disabled=0",
	                                       "protected_symlinks=0",
	                                       "protected_hardlinks=0",
	                                       NULL};
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		for (size_t k = 0; settings[k] != NULL; k++)
			if (strstr(a->s, settings[k]) != NULL)
				ag_exec_add(x, r->score, r->cats, a->start, a->end, "%s: %.*s",
				            r->reason, pct(a->len), a->s);
	}
}

static void
check_groups(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		const char *t = a->s;
		for (const char *p = t; *p;) {
			size_t n = strcspn(p, ",");
			if ((n == 4 && (memcmp(p, "sudo", 4) == 0 || memcmp(p, "root", 4) == 0)) ||
			    (n == 5 &&
			     (memcmp(p, "wheel", 5) == 0 || memcmp(p, "admin", 5) == 0)) ||
			    (n == 6 && memcmp(p, "docker", 6) == 0)) {
				ag_exec_add(x, r->score, r->cats, a->start, a->end, "%s: %.*s",
				            r->reason, (int)n, p);
				return;
			}
			p += n;
			if (*p == ',')
				p++;
		}
	}
}

/* ---- environment ---- */

/* Whether the command's output goes only through a filter for names that
 * are not secrets (env | grep PATH). */
static int
filtered_harmlessly(struct ag_exec_ctx *x, int ci)
{
	const struct ag_sh *sh = &x->sh;
	const struct ag_sh_cmd *c = &sh->cmds[ci];
	if (sh->pipes[c->pipe].nstages < 2 || !ag_exec_flow_scan(x))
		return 0;
	for (size_t j = 0; j < sh->ncmds; j++) {
		const struct ag_sh_cmd *d = &sh->cmds[j];
		if (d->pipe != c->pipe || d->stage != c->stage + 1 || d->nwords < 2)
			continue;
		const char *n = ag_sh_wtext(sh, d->word0);
		if (strcmp(n, "grep") && strcmp(n, "rg") && strcmp(n, "egrep") &&
		    strcmp(n, "fgrep"))
			return 0;
		for (int k = 1; k < d->nwords; k++) {
			const char *t = ag_sh_wtext(sh, d->word0 + k);
			if (t[0] == '-')
				continue;
			return !ag_exec_secret_name(t, strlen(t)) && strcasestr(t, "key") == NULL &&
			       strcasestr(t, "token") == NULL && strcasestr(t, "secret") == NULL &&
			       strcasestr(t, "pass") == NULL && strcasestr(t, "aws") == NULL;
		}
	}
	return 0;
}

static void
check_env_dump(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	int bare = 1;
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (strcmp(v->name, "printenv") == 0 && a->s[0] != '-') {
			bare = 0;
			if (ag_exec_secret_name(a->s, a->len)) {
				ag_exec_add(x, 55, C, a->start, a->end,
				            "prints a secret environment variable: %.*s",
				            pct(a->len), a->s);
				ag_exec_note_secret(x, a->start, a->end, "a secret variable");
			}
			continue;
		}
		if (strcmp(v->name, "env") != 0 && strcmp(v->name, "printenv") != 0 &&
		    !(strcmp(a->s, "-p") == 0 || strcmp(a->s, "-x") == 0 ||
		      (strcmp(v->name, "set") == 0 && strcmp(a->s, "-o") == 0 && 0)))
			bare = 0;
		if (strcmp(v->name, "env") == 0 && a->s[0] != '-')
			bare = 0;
	}
	if (!bare)
		return;
	if (strcmp(v->name, "set") == 0 && v->n > 1)
		return;
	int s, e;
	ag_exec_span(x, v, 0, v->n, &s, &e);
	if (filtered_harmlessly(x, v->cmd)) {
		ag_exec_add(x, 15, C, s, e, "prints part of the environment");
		return;
	}
	ag_exec_add(x, r->score, r->cats, s, e, "%s", r->reason);
	ag_exec_note_env(x, s, e);
}

static void
check_echo_secret(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (!(a->flags & AG_SH_W_EXPAND))
			continue;
		for (const char *p = strchr(a->s, '$'); p != NULL; p = strchr(p + 1, '$')) {
			const char *n = p + 1;
			if (*n == '{')
				n++;
			size_t len = 0;
			while ((n[len] >= 'A' && n[len] <= 'Z') ||
			       (n[len] >= 'a' && n[len] <= 'z') ||
			       (n[len] >= '0' && n[len] <= '9') || n[len] == '_')
				len++;
			if (len > 0 && ag_exec_secret_name(n, len)) {
				ag_exec_add(x, r->score, r->cats, a->start, a->end, "%s: %.*s",
				            r->reason, (int)len, n);
				ag_exec_note_secret(x, a->start, a->end, "a secret variable");
				return;
			}
		}
	}
}

static void
check_crontab(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts)
{
	int s, e;
	ag_exec_span(x, v, 0, v->n, &s, &e);
	if (ag_exec_opt(x, v, "-l"))
		return;
	if (ag_exec_opt(x, v, "-r"))
		ag_exec_add(x, 60, D, s, e, "deletes every cron job");
	else if (ag_exec_opt(x, v, "-e"))
		ag_exec_add(x, 40, W, s, e, "edits scheduled jobs");
	else if (ag_exec_pos(x, v, valopts, 0) != 0 || v->n == 1 || ag_exec_opt(x, v, "-") != 0)
		ag_exec_add(x, 55, W, s, e, "installs scheduled jobs (persistence)");
}

static int
secretish(const char *s)
{
	static const char *const words[] = {
	    "password",  "passwd",        "secret",        "api_key",
	    "apikey",    "api-key",       "token",         "private key",
	    "begin rsa", "begin openssh", "aws_secret",    "credential",
	    "id_rsa",    "id_ed25519",    "authorization", NULL};
	for (size_t i = 0; words[i] != NULL; i++)
		if (strcasestr(s, words[i]) != NULL)
			return 1;
	return 0;
}

static void
check_grep_secrets(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
                   const char *valopts)
{
	int recursive = ag_exec_opt(x, v, "-r|-R|--recursive|--dereference-recursive") != 0 ||
	                strcmp(v->name, "rg") == 0 || strcmp(v->name, "ag") == 0 ||
	                strcmp(v->name, "ack") == 0;
	if (!recursive)
		return;
	size_t pi = ag_exec_opt(x, v, "-e|--regexp");
	struct ag_xarg tmp;
	const struct ag_xarg *pat = pi ? opt_value(x, v, pi, &tmp) : NULL;
	int first = pat ? 0 : 1;
	if (pat == NULL) {
		size_t p0 = ag_exec_pos(x, v, valopts, 0);
		pat = p0 ? ag_exec_arg(x, v, p0) : NULL;
	}
	if (pat == NULL || !secretish(pat->s))
		return;
	size_t i;
	FOR_POS(x, v, valopts, first, i)
	{
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		enum ag_target t = ag_exec_target(a->s, a->len, x->vcwd, x->vcwd_known, x->cwd);
		if (t == AG_T_HOME || t == AG_T_ROOT || t == AG_T_SYSTEM ||
		    (t == AG_T_OUTSIDE && a->s[0] == '~')) {
			ag_exec_add(x, r->score, r->cats, a->start, a->end, "%s in %s: %.*s",
			            r->reason, ag_exec_target_name(t), pct(a->len), a->s);
			ag_exec_note_secret(x, a->start, a->end, "searched-for secrets");
		}
	}
}

static void
check_find_secrets(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r)
{
	static const char *const names[] = {
	    "id_rsa",      "id_ed25519", "id_ecdsa", "id_dsa", ".pem",   ".key",     ".env",
	    "credentials", ".kdbx",      "wallet",   ".netrc", "secret", "password", ".p12",
	    ".pfx",        ".keystore",  ".aws",     ".ssh",   "token",  NULL};
	int hunting = 0;
	int s = -1, e = -1;
	for (size_t i = 1; i + 1 < v->n; i++) {
		const char *t = ag_exec_arg(x, v, i)->s;
		if (strcmp(t, "-name") && strcmp(t, "-iname") && strcmp(t, "-path") &&
		    strcmp(t, "-ipath") && strcmp(t, "-regex"))
			continue;
		const struct ag_xarg *val = ag_exec_arg(x, v, i + 1);
		for (size_t k = 0; names[k] != NULL; k++)
			if (strcasestr(val->s, names[k]) != NULL) {
				hunting = 1;
				s = val->start;
				e = val->end;
			}
	}
	if (!hunting)
		return;
	const char *found = ag_exec_find_found(x, v);
	/* the root: found without "/{}" */
	size_t rl = strlen(found);
	if (rl > 3 && strcmp(found + rl - 3, "/{}") == 0)
		rl -= 3;
	enum ag_target t = ag_exec_target(found, rl, x->vcwd, x->vcwd_known, x->cwd);
	if (t == AG_T_HOME || t == AG_T_ROOT || t == AG_T_SYSTEM || t == AG_T_OUTSIDE) {
		ag_exec_add(x, r->score, r->cats, s, e, "%s in %s", r->reason,
		            ag_exec_target_name(t));
		ag_exec_note_secret(x, s, e, "found key files");
	}
}

/* ---- the dispatcher ---------------------------------------------------------------------- */

static void
run_check(struct ag_exec_ctx *x, const struct ag_xview *v, const struct rule *r,
          const struct match *m)
{
	const char *vo = m->valopts;
	int recursive;
	struct ag_xarg tmp;
	switch (r->check) {
	case K_NONE: rule_reason(x, v, r, m->at, r->score); break;
	case K_DELETE:
	case K_DELETE_R: {
		recursive = r->check == K_DELETE_R;
		char what[80];
		snprintf(what, sizeof what, "%s%s", v->name, recursive ? " -r" : "");
		size_t from = 1;
		ag_exec_delete_targets(x, v, from, v->n, recursive, what);
		if (r->score > 0 && ag_exec_pos(x, v, vo, 0) != 0)
			rule_reason(x, v, r, 0, r->score);
		break;
	}
	case K_TRUNCATE: {
		const struct ag_xarg *val = opt_value(x, v, m->at, &tmp);
		if (val != NULL && (strcmp(val->s, "0") == 0 || strcmp(val->s, "0K") == 0))
			ag_exec_delete_targets(x, v, 1, v->n, 0, "truncate -s 0");
		break;
	}
	case K_FIND_DELETE: {
		const char *found = ag_exec_find_found(x, v);
		size_t mark = x->nxa;
		const struct ag_xarg *del = ag_exec_arg(x, v, m->at);
		struct ag_xarg a = {found, strlen(found), del->start, del->end, -1, AG_X_SYNTH};
		ag_exec_push(x, &a);
		struct ag_xview fv = {mark, 1, v->cmd, "find", 0};
		/* a one-arg view whose arg 0 is the target: delete from index 0 */
		ag_exec_delete_targets(x, &fv, 0, 1, 1, "find -delete");
		x->nxa = mark;
		break;
	}
	case K_FIND_SECRETS: check_find_secrets(x, v, r); break;
	case K_RSYNC_DELETE: {
		size_t last = last_pos(x, v, vo);
		if (last == 0 || ag_exec_pos(x, v, vo, 1) == 0)
			break;
		const struct ag_xarg *d = ag_exec_arg(x, v, last);
		if (remote_path(d->s, d->len))
			break;
		ag_exec_delete_targets(x, v, last, last + 1, 1, "rsync --delete");
		break;
	}
	case K_MV: {
		size_t last = last_pos(x, v, vo);
		if (last == 0 || ag_exec_pos(x, v, vo, 1) == 0)
			break;
		const struct ag_xarg *d = ag_exec_arg(x, v, last);
		size_t i;
		FOR_POS(x, v, vo, 0, i)
		{
			if (i == last)
				break;
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			enum ag_target t = dynamic_arg(a) ? AG_T_DYNAMIC
			                                  : ag_exec_target(a->s, a->len, x->vcwd,
			                                                   x->vcwd_known, x->cwd);
			struct ag_path_hit hit;
			if (t == AG_T_ROOT || t == AG_T_HOME || t == AG_T_SYSTEM)
				ag_exec_add(x, 80, D, a->start, a->end, "moves %s away: %.*s",
				            ag_exec_target_name(t), pct(a->len), a->s);
			else if (t == AG_T_GIT || t == AG_T_WORKSPACE)
				ag_exec_add(x, 50, D, a->start, a->end, "moves %s away: %.*s",
				            ag_exec_target_name(t), pct(a->len), a->s);
			else if (!dynamic_arg(a) &&
			         ag_sensitive_path(a->s, a->len, AG_ACCESS_WRITE, &hit) &&
			         hit.score >= 50)
				ag_exec_add(x, hit.score, hit.categories | D, a->start, a->end,
				            "moves away %s: %.*s", hit.what, pct(a->len), a->s);
		}
		if (strcmp(d->s, "/dev/null") == 0)
			ag_exec_add(x, 60, D, d->start, d->end,
			            "moves files into /dev/null (deletes them)");
		else if (!dynamic_arg(d))
			ag_exec_write_path(x, d->s, d->len, d->start, d->end, "moves over");
		break;
	}
	case K_COPY: {
		size_t last = last_pos(x, v, vo);
		if (last == 0 || ag_exec_pos(x, v, vo, 1) == 0)
			break;
		size_t i;
		FOR_POS(x, v, vo, 0, i)
		{
			if (i == last)
				break;
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			if (!dynamic_arg(a))
				ag_exec_read_path(x, a->s, a->len, a->start, a->end, "copies");
		}
		check_write_last(x, v, vo, "copies over");
		break;
	}
	case K_WRITE_LAST:
		if (ag_exec_pos(x, v, vo, 1) != 0 || ag_exec_opt(x, v, "-t|--target-directory"))
			check_write_last(x, v, vo, r->reason);
		break;
	case K_WRITE_ARGS: {
		size_t i;
		const char *verb = ag_exec_opt(x, v, "-a|--append") ? "appends to" : "overwrites";
		FOR_POS(x, v, vo, 0, i)
		{
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			if (!dynamic_arg(a))
				ag_exec_write_path(x, a->s, a->len, a->start, a->end, verb);
		}
		break;
	}
	case K_WRITE_VALUE: {
		const struct ag_xarg *val = opt_value(x, v, m->at, &tmp);
		if (val != NULL && !dynamic_arg(val))
			ag_exec_write_path(x, val->s, val->len, val->start, val->end, "overwrites");
		break;
	}
	case K_SED_I: {
		int script_opt = ag_exec_opt(x, v, "-e|--expression|-f|--file|-E") != 0 ||
		                 strcmp(v->name, "perl") == 0;
		size_t i;
		FOR_POS(x, v, vo, script_opt ? 0 : 1, i)
		{
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			if (!dynamic_arg(a))
				ag_exec_write_path(x, a->s, a->len, a->start, a->end, "edits");
		}
		break;
	}
	case K_DD:
		for (size_t i = 1; i < v->n; i++) {
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			if (strncmp(a->s, "of=", 3) == 0)
				ag_exec_write_path(x, a->s + 3, a->len - 3, a->start, a->end,
				                   "dd overwrites");
			else if (strncmp(a->s, "if=", 3) == 0)
				ag_exec_read_path(x, a->s + 3, a->len - 3, a->start, a->end,
				                  "dd reads");
		}
		break;
	case K_READ: check_read(x, v, vo, 0); break;
	case K_READ_PAT:
		check_read(x, v, vo,
		           ag_exec_opt(x, v, "-e|-f|--regexp|--file|--expression|--from-file") ? 0
		                                                                               : 1);
		break;
	case K_CHMOD: check_chmod(x, v, vo); break;
	case K_CHOWN: check_chown(x, v, vo); break;
	case K_SQL: check_sql(x, v, vo); break;
	case K_GIT_PUSH: check_git_push(x, v, vo); break;
	case K_GIT_CONFIG: check_git_config(x, v); break;
	case K_GIT_C: check_git_c(x, v); break;
	case K_GIT_CHECKOUT: check_git_checkout(x, v, r); break;
	case K_GIT_RESTORE: check_git_restore(x, v, r); break;
	case K_CURL: check_curl(x, v, vo, 0); break;
	case K_WGET: check_curl(x, v, vo, 1); break;
	case K_NC: check_nc(x, v, vo); break;
	case K_SOCAT: check_socat(x, v); break;
	case K_REMOTE_COPY: check_remote_copy(x, v, r, vo); break;
	case K_CLOUD_UPLOAD: check_cloud_upload(x, v, r, vo); break;
	case K_SEND: {
		int s, e;
		ag_exec_span(x, v, 0, v->n, &s, &e);
		ag_exec_add(x, r->score, r->cats, s, e, "%s", r->reason);
		ag_exec_note_send(x, s, e);
		check_read(x, v, vo, 0);
		secret_substs(x, v, v->name);
		break;
	}
	case K_DNS: check_dns(x, v, r); break;
	case K_SYSTEMCTL: check_systemctl(x, v, vo); break;
	case K_KILL: check_kill(x, v, r); break;
	case K_DOCKER_RUN: check_docker_run(x, v); break;
	case K_KUBE_DELETE: check_kube_delete(x, v, r, vo); break;
	case K_KUBE_SECRET: check_kube_secret(x, v, r, vo); break;
	case K_CLOUD_VERB: check_cloud_verb(x, v, r, vo); break;
	case K_AWS: check_aws(x, v, vo); break;
	case K_PKG_SOURCE: check_pkg_source(x, v, r, vo); break;
	case K_PKG_CONFIG: check_pkg_config(x, v); break;
	case K_IPTABLES: check_iptables(x, v); break;
	case K_SYSCTL: check_sysctl(x, v, r); break;
	case K_GROUPS: check_groups(x, v, r); break;
	case K_ENV_DUMP: check_env_dump(x, v, r); break;
	case K_ECHO_SECRET: check_echo_secret(x, v, r); break;
	case K_CRONTAB: check_crontab(x, v, vo); break;
	case K_GREP_SECRETS: check_grep_secrets(x, v, r, vo); break;
	case K_READ_VALUE: {
		const struct ag_xarg *val = opt_value(x, v, m->at, &tmp);
		char buf[4096];
		const char *p = val ? static_path(val, buf, sizeof buf) : NULL;
		if (p != NULL)
			ag_exec_read_path(x, p, strlen(p), val->start, val->end, "reads");
		break;
	}
	case K_DEVICE: {
		/* mkfs.ext4 /dev/sdb1 formats a disk; mkfs.ext4 disk.img a file */
		size_t i, dev = 0, file = 0;
		FOR_POS(x, v, vo, 0, i)
		{
			const struct ag_xarg *d = ag_exec_arg(x, v, i);
			if (strncmp(d->s, "/dev/", 5) == 0 || dynamic_arg(d)) {
				dev = i;
				break;
			}
			if (file == 0 && (strchr(d->s, '.') != NULL || strchr(d->s, '/') != NULL))
				file = i;
		}
		if (dev != 0)
			rule_reason(x, v, r, dev, r->score);
		else if (file != 0)
			ag_exec_add(x, 20, D, ag_exec_arg(x, v, file)->start,
			            ag_exec_arg(x, v, file)->end, "formats an image file: %.*s",
			            pct(ag_exec_arg(x, v, file)->len), ag_exec_arg(x, v, file)->s);
		break;
	}
	case K_SSH_TUNNEL: {
		size_t h = ag_exec_pos(x, v, valopts_for("ssh"), 0);
		const struct ag_xarg *host = h ? ag_exec_arg(x, v, h) : NULL;
		const char *at = host ? strchr(host->s, '@') : NULL;
		const char *name = at ? at + 1 : host ? host->s : "";
		const char *what = host ? ag_sensitive_host(name, strlen(name)) : NULL;
		if (what != NULL)
			ag_exec_add(x, 65, X | W, host->start, host->end,
			            "exposes a local port to the internet through a %s: %s", what,
			            name);
		else
			rule_reason(x, v, r, m->at, r->score);
		break;
	}
	case K_COUNT: break;
	}
}

/* A rule's "any" list: alternatives separated by |, each one option or
 * several joined by + that must all be present (--delete+--force). Returns
 * the index of the first option of the first alternative present. */
static size_t
any_opt(struct ag_exec_ctx *x, const struct ag_xview *v, const char *spec)
{
	if (strchr(spec, '+') == NULL)
		return ag_exec_opt(x, v, spec);
	char alt[128];
	for (const char *p = spec; *p;) {
		size_t n = strcspn(p, "|");
		if (n < sizeof alt) {
			memcpy(alt, p, n);
			alt[n] = '\0';
			size_t first = 0;
			int all = 1;
			for (char *save = NULL, *part = strtok_r(alt, "+", &save); part != NULL;
			     part = strtok_r(NULL, "+", &save)) {
				size_t o = ag_exec_opt(x, v, part);
				if (o == 0) {
					all = 0;
					break;
				}
				if (first == 0)
					first = o;
			}
			if (all && first != 0)
				return first;
		}
		p += n;
		if (*p == '|')
			p++;
	}
	return 0;
}

void
ag_exec_rules(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	pthread_once(&index_once, index_build);
	size_t lo, hi;
	if (!ag_name_map_find(&index_map, v->name, &lo, &hi))
		return;
	const char *valopts = index_entries[lo].valopts;
	/* The positionals, found once for every rule of this command. */
	pos_remember(x, v, valopts, index_entries[lo].vset);
	size_t pos[MAX_SUB_POS];
	int npos = 0;
	while (npos < MAX_SUB_POS && (pos[npos] = ag_exec_pos(x, v, valopts, npos)) != 0)
		npos++;
	for (size_t k = lo; k < hi; k++) {
		const struct rule *r = &rules[index_entries[k].rule];
		const struct rule_c *c = &rule_c[index_entries[k].rule];
		int ok;
		size_t at = sub_match(x, v, c, pos, npos, &ok);
		if (!ok)
			continue;
		if (r->unless != NULL && optset_opt(x, v, c->unless))
			continue;
		if (r->any != NULL) {
			size_t o =
			    c->any != NULL ? optset_opt(x, v, c->any) : any_opt(x, v, r->any);
			if (o == 0)
				continue;
			at = o;
		}
		struct match m = {at, valopts};
		run_check(x, v, r, &m);
	}
	pos_forget(x);
}
