using Cofi.Management;
using static Cofi.Management.Verbs;

namespace Cofi.Host.Web;

/// <summary>The palettes a coordinator offers besides every node's: batches, GPU machines and nodes, files.</summary>
public static class CoordinatorPalettes
{
    private const string Role = "coordinator";

    private static readonly CommandParameter BatchId = Arg("batchId", "the batch's id", "int", completion: "batch");

    public static readonly CommandPalette Batch = new("batch", "batches: submit, follow and control them", Role,
    [
        Get("list", "every batch with its status, priority and times", "/api/batches", view: "table",
            columns: ["batchId", "name", "status", "priority", "submittedAt", "finishedAt"]),
        Get("show", "one batch with its per-stage counts", "/api/batches/{batchId}", [BatchId], view: "batch"),
        Get("stragglers", "the calls running longest now: stage, file, machine, attempt, running for, speculation; backups and calls per stage",
            "/api/batches/{batchId}/stragglers", [BatchId], [Switch("limit", "at most this many calls, longest first (1 to 200, default 20)", "int")],
            view: "stragglers"),
        Post("submit", "queue a batch over a folder or manifest the coordinator can read", "/api/batches",
            [Arg("input", "absolute path of the input folder or manifest (on the coordinator)", @in: "body")],
            [
                Switch("name", "the batch's name (default: the input's name)", @in: "body"),
                Switch("priority", "from -100 to 100, higher first", "int", "body"),
                Switch("label", "a label k=v (repeat for more)", "map", "body", field: "labels"),
            ]),
        Post("pause", "the batch's stages hand out no new work", "/api/batches/{batchId}/pause", [BatchId]),
        Post("resume", "a paused batch goes on", "/api/batches/{batchId}/resume", [BatchId]),
        Post("cancel", "end an unfinished batch as cancelled", "/api/batches/{batchId}/cancel", [BatchId], confirm: true),
        Post("retry-failed", "failed files go through again from the stage each failed at", "/api/batches/{batchId}/retry-failed", [BatchId],
            [
                Switch("stage", "only the files that failed at this stage", @in: "body", completion: "stage"),
                Switch("include-quarantined", "quarantined files too (their calls hung on several machines)", "flag", "body", field: "includeQuarantined"),
            ], confirm: true),
        Delete("purge", "delete an ended batch and all its data for good: journal, execution log, processing logs, results (admins)",
            "/api/batches/{batchId}", [BatchId], confirm: true, view: "purge"),
        Post("prune", "retention: delete every batch that ended before an age, whole (journal, execution log, processing logs, results), "
            + "and older rows of no known batch; running and queued batches are never touched (admins)", "/api/prune", [],
            [
                Switch("older-than", "the batches that ended longer ago than this: 90d, 12h or 30m", @in: "body", field: "olderThan"),
                Switch("ended-before", "the batches that ended before this time (ISO 8601, e.g. 2026-03-01T00:00:00Z)", @in: "body", field: "endedBefore"),
                Switch("dry-run", "delete nothing: list the batches and the rows per table that would go", "flag", "body", field: "dryRun"),
            ], confirm: true, view: "prune"),
        Post("priority", "give the batch another priority, from -100 to 100 (and with --weight its share among batches of equal priority)",
            "/api/batches/{batchId}/priority", [BatchId, Arg("priority", "from -100 to 100, higher first", "int", "body")],
            [Switch("weight", "its share of free slots among batches of equal priority, from 0.1 to 100 (default 1)", "number", "body")]),
        Post("plan", "predict a batch's makespan, stage utilization, bottleneck, GPU-hours and cost", "/api/plan", [],
            [
                Switch("files", "files in the batch (default: the recorded batch's, else 10,000)", "int", "body"),
                Switch("machines", "GPU machines (default: the configured ones)", "int", "body"),
                Switch("from-batch", "call times from this finished batch's records", "int", "body", field: "fromBatch"),
                Switch("price", "price of one GPU-hour", "number", "body", field: "pricePerGpuHour"),
            ], view: "report"),
        Get("watch", "live per-stage progress, rate and ETA until the batch ends", "/api/batches/{batchId}/stream", [BatchId], output: "events", view: "progress"),
        Get("tail", "execution-log rows as they are written, until the batch ends or Ctrl+C", "/api/batches/{batchId}/log", [BatchId],
        [
            Switch("stage", "only this stage's rows", completion: "stage"),
            Switch("type", "only this event type", "choice", choices: ["stage_start", "file_start", "file_complete", "file_error", "stage_progress", "stage_complete"]),
            Switch("file", "only rows of files whose name contains this"),
        ], output: "tail", view: "log"),
        Get("failed", "the files that failed, with the stage and the reason", "/api/batches/{batchId}/failed", [BatchId],
            [Switch("quarantined", "only the quarantined files (their calls hung on several machines)", "flag")], output: "pages", view: "table",
            columns: ["stage", "file", "quarantined", "reason"]),
        Get("results", "every file's final result, streamed", "/api/batches/{batchId}/results", [BatchId],
        [
            Switch("format", "jsonl or csv", "choice", choices: ["jsonl", "csv"], @default: "jsonl"),
            Switch("output", "write to this file instead of standard output", @in: "client"),
        ], output: "download"),
    ]);

    public static readonly CommandPalette Gpu = new("gpu", "GPU machines and nodes", Role,
    [
        Get("list", "each machine: node, slots busy/total per stage, files per minute, errors, breaker", "/api/machines", view: "machines"),
        Post("drain", "a GPU node takes no new work, finishes what it has, then leaves the cluster", "/api/gpu-nodes/{node}/drain",
            [Arg("node", "the GPU node's name", completion: "node")],
            [Switch("wait", "how long to wait for it to leave (0: do not wait)", "duration", "body", @default: "10m", field: "waitMs")]),
        Post("add", "add a GPU machine that is only an HTTP endpoint: every running and later batch sends it work", "/api/machines",
            [Arg("host", "the machine's host name or address", @in: "body")]),
        Post("remove", "a GPU machine the coordinator serves itself takes no more work", "/api/machines/{host}/remove",
            [Arg("host", "the machine's name", completion: "machine")], confirm: true),
    ]);

    public static readonly CommandPalette Audit = new("audit", "who asked for which change, and what came of it (admins)", Role,
    [
        Get("list", "the audit trail, newest first: time, token, role, action, target, reason, outcome, client", "/api/audit",
        [],
        [
            Switch("token", "only this token's requests"),
            Switch("action", "only this action (e.g. PauseBatch)"),
            Switch("outcome", "only requests answered with this HTTP status", "int"),
            Switch("since", "only requests from this time on (ISO 8601, e.g. 2026-03-01T00:00:00Z)"),
        ], output: "pages", view: "table", columns: ["at", "tokenName", "role", "action", "target", "outcome", "clientAddress", "reason"]),
    ]);

    public static readonly CommandPalette File = new("file", "one file of a batch", Role,
    [
        Get("show", "every stage and attempt: machine, duration, HTTP status, error, request and response", "/api/batches/{batchId}/timeline",
            [BatchId, Arg("file", "the file's name, as the batch lists it", @in: "query")], view: "timeline"),
    ]);
}
