using System.Text.Json.Nodes;
using Cofi.Cli.Connection;
using Cofi.Cli.Rendering;

namespace Cofi.Cli.Commands;

/// <summary>
/// Carries out one verb over the node's API as its command list says: asks first for a destructive one, sends the
/// request, and shows the answer (a document, pages, a followed log, an event stream or a download).
/// </summary>
public sealed class VerbRunner(ApiClient api, GlobalOptions options, TextWriter output, Terminal terminal)
{
    public async Task<int> RunAsync(Invocation invocation, CancellationToken cancel)
    {
        var verb = invocation.Verb;
        // A dry run the operator asked for changes nothing: it is shown, not asked about.
        var dryRun = invocation.Body(null)?["dryRun"]?.GetValue<bool>() == true;
        if (verb.Confirm && !options.Yes && !dryRun && !await ConfirmAsync(invocation, cancel)) return ExitCodes.Refused;
        var method = new HttpMethod(verb.Method);
        try
        {
            return verb.Output switch
            {
                "pages" or "tail" => await PagesAsync(invocation, follow: verb.Output == "tail", cancel),
                "events" => await EventsAsync(invocation, cancel),
                "download" => await DownloadAsync(invocation, cancel),
                _ => Document(invocation, await api.SendJsonAsync(method, invocation.PathAndQuery(), invocation.Body(options.Reason), cancel)),
            };
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl+C ends a stream the operator was following: that is how it is meant to end.
            return ExitCodes.Ok;
        }
    }

    private int Document(Invocation invocation, JsonNode? answer)
    {
        output.Write(options.Json ? (answer?.ToJsonString() ?? "null") + "\n" : DocumentView.Render(invocation.Verb.View, invocation.Verb.Columns, answer));
        return ExitCodes.Ok;
    }

    /// <summary>A dry run says what the verb would affect; on a terminal the operator says yes or no, elsewhere --yes is needed.</summary>
    private async Task<bool> ConfirmAsync(Invocation invocation, CancellationToken cancel)
    {
        var answer = await api.SendJsonAsync(new HttpMethod(invocation.Verb.Method), invocation.PathAndQuery(), invocation.Body(options.Reason, dryRun: true), cancel);
        if (answer?["confirm"]?.GetValue<bool>() != true) return true;
        var affects = answer["affects"]?.ToString() ?? "this changes the cluster";
        if (!terminal.CanAsk)
            throw CliException.Usage($"{invocation.Name}: {affects}; not asked on a terminal: add --yes to go ahead");
        var yes = terminal.Ask($"{affects}. Go ahead? [y/N] ");
        if (!yes) output.WriteLine("nothing done");
        return yes;
    }

    private async Task<int> PagesAsync(Invocation invocation, bool follow, CancellationToken cancel)
    {
        var after = 0L;
        var first = true;
        while (true)
        {
            var page = await api.GetJsonAsync(invocation.PathAndQuery([("after", after.ToString())]), cancel);
            var items = page?["items"] as JsonArray ?? [];
            if (options.Json) foreach (var item in items) output.WriteLine(item?.ToJsonString());
            else if (invocation.Verb.View == "table")
            {
                if (items.Count > 0 || first) output.Write(DocumentView.Rows(items, invocation.Verb.Columns) is var table && !first ? table[(table.IndexOf('\n') + 1)..] : table);
            }
            else foreach (var item in items) output.WriteLine(LineViews.Line(invocation.Verb.View, item));
            output.Flush();
            first = false;
            after = page?["next"]?.GetValue<long>() ?? after;
            if (page?["done"]?.GetValue<bool>() == true) return ExitCodes.Ok;
            if (items.Count == 0)
            {
                if (!follow) return ExitCodes.Ok;
                await Task.Delay(500, cancel);
            }
        }
    }

    private async Task<int> EventsAsync(Invocation invocation, CancellationToken cancel)
    {
        ProgressView? progress = null;
        if (invocation.Verb.View == "progress")
        {
            var batchId = long.Parse(invocation.Text("batchId")!);
            progress = new ProgressView(batchId, terminal.IsOutputTerminal && !options.Json, output);
            var detail = await api.GetJsonAsync($"/api/batches/{batchId}", cancel);
            if (detail is not null) progress.Seed(detail);
            if (!options.Json) progress.Show(force: true);
            if (progress.Finished)
            {
                if (options.Json) output.WriteLine(detail?.ToJsonString());
                return ExitCodes.Ok;
            }
        }
        using var response = await api.OpenAsync(HttpMethod.Get, invocation.PathAndQuery(), null, cancel);
        await using var stream = await response.Content.ReadAsStreamAsync(cancel);
        using var reader = new StreamReader(stream);
        var data = new List<string>();
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal)) data.Add(line[5..].TrimStart());
            if (line.Length > 0 || data.Count == 0) continue;
            var item = JsonNode.Parse(string.Join("\n", data));
            data.Clear();
            if (options.Json) output.WriteLine(item?.ToJsonString());
            if (progress is not null)
            {
                progress.Frame(item!);
                if (!options.Json) progress.Show(force: progress.Finished);
                if (progress.Finished) return ExitCodes.Ok;
            }
            else if (!options.Json && item?["event"]?.ToString() != "subscribed") output.WriteLine(LineViews.Line(invocation.Verb.View, item));
            output.Flush();
        }
        return ExitCodes.Ok;
    }

    private async Task<int> DownloadAsync(Invocation invocation, CancellationToken cancel)
    {
        // --json: the results as JSON lines, whatever --format says.
        var path = options.Json ? invocation.PathAndQuery().Replace("format=csv", "format=jsonl") : invocation.PathAndQuery();
        using var response = await api.OpenAsync(HttpMethod.Get, path, null, cancel);
        await using var body = await response.Content.ReadAsStreamAsync(cancel);
        if (invocation.Client("output") is { } file)
        {
            await using var target = File.Create(file);
            await body.CopyToAsync(target, cancel);
            return ExitCodes.Ok;
        }
        output.Flush();
        await using var stdout = Console.OpenStandardOutput();
        await body.CopyToAsync(stdout, cancel);
        return ExitCodes.Ok;
    }
}
