using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Cofi.Cli.Rendering;

/// <summary>A verb's JSON answer as a terminal shows it: by the view the node names, else fields or a table.</summary>
public static class DocumentView
{
    public static string Render(string view, IReadOnlyList<string>? columns, JsonNode? node) => view switch
    {
        _ when node is null => "done\n",
        "table" when node is JsonArray rows => Rows(rows, columns),
        "cluster" => Cluster(node),
        "batch" => Batch(node),
        "machines" when node is JsonArray rows => Machines(rows),
        "health" => Health(node),
        "tree" when node is JsonArray rows => Tree(rows),
        "timeline" => Timeline(node),
        "purge" => Purge(node),
        "prune" => Prune(node),
        "stragglers" => Stragglers(node),
        "report" when node["report"] is JsonValue report => report.ToString(),
        _ when node is JsonArray rows => Rows(rows, null),
        _ => Fields(node),
    };

    public static string Fields(JsonNode? node)
    {
        if (node is not JsonObject o) return Text.Of(node) + "\n";
        var width = o.Select(p => p.Key.Length).DefaultIfEmpty(0).Max();
        return string.Concat(o.Select(p => $"{p.Key.PadRight(width)}  {Text.Of(p.Value)}\n"));
    }

    public static string Rows(JsonArray rows, IReadOnlyList<string>? columns)
    {
        var objects = rows.OfType<JsonObject>().ToList();
        var names = columns ?? objects.SelectMany(o => o.Where(p => p.Value is not JsonObject and not JsonArray).Select(p => p.Key)).Distinct().ToList();
        if (objects.Count == 0) return "(none)\n";
        return Table.Format(names, objects.Select(o => (IReadOnlyList<string>)names.Select(n => Text.Of(o[n])).ToList()).ToList());
    }

    private static string Cluster(JsonNode node)
    {
        var text = new StringBuilder($"leader {Text.Of(node["leader"])}, oldest {Text.Of(node["oldest"])}, singleton on {Text.Of(node["singleton"])}\n\n");
        var members = (node["members"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        text.Append(Table.Format(["address", "roles", "status", "reachable", ""], members.Select(m => (IReadOnlyList<string>)
        [
            Text.Of(m["address"]), Text.Of(m["roles"]) is "" ? "-" : Text.Of(m["roles"]), Text.Of(m["status"]), Text.Of(m["reachable"]),
            string.Join(" ", new[] { ("self", "self"), ("leader", "leader"), ("oldest", "oldest") }.Where(f => m[f.Item1]?.GetValue<bool>() == true).Select(f => f.Item2)),
        ]).ToList()));
        return text.ToString();
    }

    private static string Batch(JsonNode node)
    {
        var batch = node["batch"] as JsonObject ?? new JsonObject();
        var text = new StringBuilder($"batch {Text.Of(batch["batchId"])} '{Text.Of(batch["name"])}': {Text.Of(batch["status"])}, priority {Text.Of(batch["priority"])}\n");
        text.Append($"input {Text.Of(batch["input"])}; submitted {Text.Of(batch["submittedAt"])}, started {Text.Of(batch["startedAt"])}, finished {Text.Of(batch["finishedAt"])}\n");
        if (batch["labels"] is JsonObject { Count: > 0 } labels) text.Append($"labels {Text.Of(labels)}\n");
        if (batch["reason"] is { } reason) text.Append($"reason {Text.Of(reason)}\n");
        var stages = (node["stages"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        text.Append('\n').Append(Table.Format(["stage", "done", "failed", "skipped", "in flight", "queued", "total"], stages.Select(s => (IReadOnlyList<string>)
            [Text.Of(s["stage"]), Text.Of(s["done"]), Text.Of(s["failed"]), Text.Of(s["skipped"]), Text.Of(s["inFlight"]), Text.Of(s["queued"]), Text.Of(s["total"])]).ToList()));
        return text.ToString();
    }

    private static string Purge(JsonNode node) =>
        $"batch {Text.Of(node["batchId"])} purged\n\n" + Table.Format(["table", "rows deleted"],
            (node["deleted"] as JsonObject ?? []).Select(d => (IReadOnlyList<string>)[d.Key, Text.Of(d.Value)]).ToList());

    /// <summary>A prune's report or dry run: the batches, then their rows per table, then older rows of no known batch.</summary>
    private static string Prune(JsonNode node)
    {
        var dryRun = node["dryRun"]?.GetValue<bool>() == true || node["affects"] is not null;
        var batches = (node["batches"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var text = new StringBuilder($"{batches.Count} {(batches.Count == 1 ? "batch" : "batches")} that ended before {Text.Of(node["endedBefore"])} {(dryRun ? "would be pruned" : "pruned")}\n");
        if (batches.Count > 0)
            text.Append('\n').Append(Table.Format(["batchId", "name", "status", "finishedAt"], batches.Select(b => (IReadOnlyList<string>)
                [Text.Of(b["batchId"]), Text.Of(b["name"]), Text.Of(b["status"]), Text.Of(b["finishedAt"])]).ToList()));
        var rows = Counts(node["rows"]).Concat(Counts(node["unbatched"]).Select(r => (Table: $"{r.Table} (no known batch)", r.Rows))).ToList();
        if (rows.Count > 0)
            text.Append('\n').Append(Table.Format(["table", dryRun ? "rows to delete" : "rows deleted"], rows.Select(r => (IReadOnlyList<string>)[r.Table, r.Rows]).ToList()));
        return text.ToString();

        static IEnumerable<(string Table, string Rows)> Counts(JsonNode? counts) =>
            (counts as JsonObject ?? []).Where(c => c.Value?.GetValue<long>() > 0).Select(c => (c.Key, Text.Of(c.Value)));
    }

    private static string Stragglers(JsonNode node)
    {
        var calls = (node["calls"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var text = new StringBuilder(calls.Count == 0 ? "(no call running)\n" : Table.Format(["stage", "file", "machine", "attempt", "running for", "speculation"],
            calls.Select(c => (IReadOnlyList<string>)
            [
                Text.Of(c["stage"]), Text.Of(c["file"]), Text.Of(c["machine"]), Text.Of(c["attempt"]),
                ((c["runningForMs"]?.GetValue<long>() ?? 0) / 1000.0).ToString("0.0 s", CultureInfo.InvariantCulture), Text.Of(c["speculation"]),
            ]).ToList()));
        var stages = (node["stages"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (stages.Count > 0)
            text.Append('\n').Append(Table.Format(["stage", "backups", "calls"],
                stages.Select(s => (IReadOnlyList<string>)[Text.Of(s["stage"]), Text.Of(s["backups"]), Text.Of(s["calls"])]).ToList()));
        return text.ToString();
    }

    private static string Machines(JsonArray rows) =>
        rows.Count == 0 ? "(no GPU machine)\n" : Table.Format(["machine", "node", "slots busy/total by stage", "files/min", "done", "errors", "breaker"],
            rows.OfType<JsonObject>().Select(m => (IReadOnlyList<string>)
            [
                Text.Of(m["name"]), Text.Of(m["node"]),
                string.Join(" ", (m["slotsByStage"] as JsonObject ?? []).Select(s => $"{s.Key} {(m["busyByStage"]?[s.Key]?.GetValue<int>() ?? 0)}/{s.Value}")),
                Text.Of(m["filesPerMinute"]), Text.Of(m["filesDone"]), Text.Of(m["errors"]), Text.Of(m["breaker"]),
            ]).ToList());

    private static string Health(JsonNode node)
    {
        var text = new StringBuilder($"{Text.Of(node["status"])}, {(node["ready"]?.GetValue<bool>() == true ? "ready" : "not ready")}\n");
        foreach (var check in (node["checks"] as JsonArray ?? []).OfType<JsonObject>())
            text.Append($"  {Text.Of(check["name"])}: {(check["passed"]?.GetValue<bool>() == true ? "ok" : Text.Of(check["problem"]))}\n");
        return text.ToString();
    }

    private static string Tree(JsonArray rows) => string.Concat(rows.OfType<JsonObject>().Select(a =>
        $"{new string(' ', 2 * (a["depth"]?.GetValue<int>() ?? 0))}{Text.Of(a["name"])}" + (a["type"] is { } type ? $"  ({type})" : "") +
        (a["children"]?.GetValue<int>() is > 0 and var n ? $"  [{n} children]" : "") + "\n"));

    private static string Timeline(JsonNode node)
    {
        var text = new StringBuilder($"batch {Text.Of(node["batchId"])}, file {Text.Of(node["name"])}\n");
        foreach (var step in (node["stages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            text.Append($"\n{Text.Of(step["stage"])}: {Text.Of(step["status"])} ({Text.Of(step["type"])}) at {Text.Of(step["at"])}\n");
            foreach (var a in (step["attempts"] as JsonArray ?? []).OfType<JsonObject>())
            {
                text.Append($"  attempt {Text.Of(a["attempt"])} on {Text.Of(a["machine"])}: {Text.Of(a["status"])}, {Text.Of(a["durationMs"])} ms, HTTP {Text.Of(a["statusCode"])}" +
                            (a["error"] is { } error ? $", error {Text.Of(error)}" : "") + "\n");
                if (a["request"] is { } request) text.Append($"    request  {Text.Of(request)}\n");
                if (a["response"] is { } response) text.Append($"    response {Text.Of(response)}\n");
            }
        }
        return text.ToString();
    }
}
