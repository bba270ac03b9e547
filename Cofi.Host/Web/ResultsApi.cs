using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.ReadModel;
using Cofi.Host.Web.Events;
using Cofi.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Host.Web;

/// <summary>
/// What an operator reads of a batch from the read model: its final results (streamed as JSON lines or CSV), its
/// failed files and its execution log after a cursor (pages of <c>{ items, next, done }</c>).
/// </summary>
public static class ResultsApi
{
    public const int MaxLimit = 1_000;

    /// <summary>A finished batch's log is taken as complete once the EventWriter has had this long to write its last rows.</summary>
    public static readonly TimeSpan SettleAfterFinish = TimeSpan.FromSeconds(3);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapResultsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches/{batchId:long}").WithTags("results").RequireRole(Role.Viewer);
        group.MapGet("/results", ResultsAsync).WithName("BatchResults").Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson");
        group.MapGet("/failed", FailedAsync).WithName("BatchFailedFiles");
        group.MapGet("/log", LogAsync).WithName("BatchLogAfter");
        return group;
    }

    /// <summary>Every file's final row, in file order, written to the response as it is read.</summary>
    /// <param name="format"><c>jsonl</c> (default) or <c>csv</c>.</param>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ResultsAsync(long batchId, string? format, HttpContext http,
        ReadModelResults results, IRequiredActor<BatchManager> manager, CancellationToken cancel)
    {
        var csv = format is "csv";
        if (format is not (null or "jsonl" or "csv")) return Problems.Fields("format", $"must be jsonl or csv (got '{format}')");
        if (await Batch(manager, batchId, cancel) is null) return Problems.BatchNotFound(batchId);
        http.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await using (writer)
        {
            if (csv) await writer.WriteLineAsync("batch_id,file_id,file_name,status,reason,result,completed_at");
            await foreach (var row in results.ResultsAsync(batchId, cancel))
                await writer.WriteLineAsync(csv ? CsvLine(row) : JsonSerializer.Serialize(row, Json));
        }
        return TypedResults.Empty;
    }

    public static async Task<Results<Ok<CursorPage<FailedFile>>, ProblemHttpResult>> FailedAsync(long batchId, long? after, int? limit, bool? quarantined,
        ReadModelEvents events, IRequiredActor<BatchManager> manager, CancellationToken cancel)
    {
        if (Limit(limit) is { } invalid) return invalid;
        if (await Batch(manager, batchId, cancel) is null) return Problems.BatchNotFound(batchId);
        var take = limit ?? 500;
        var rows = await events.FailedAfterAsync(batchId, after ?? 0, take, quarantined == true, cancel);
        var items = rows.Select(e => new FailedFile(e.Id, e.Stage, e.FileName, ErrorOf(e.Payload), e.At, e.Status == ReadModelProjection.Quarantined)).ToList();
        return TypedResults.Ok(new CursorPage<FailedFile>(items, rows.Count > 0 ? rows[^1].Id : after ?? 0, rows.Count < take));
    }

    /// <summary>The log rows after <paramref name="after"/>; done once the batch has finished and its last rows have been read.</summary>
    public static async Task<Results<Ok<CursorPage<BatchEvent>>, ProblemHttpResult>> LogAsync(long batchId, long? after, int? limit, string? stage, string? type,
        string? file, CofiSettings settings, ReadModelEvents events, IRequiredActor<BatchManager> manager, CancellationToken cancel)
    {
        if (Limit(limit) is { } invalid) return invalid;
        if (stage is not null && settings.Pipeline.IndexOf(stage) < 0)
            return Problems.Fields("stage", $"unknown stage '{stage}'; stages are {string.Join(", ", settings.Pipeline.Stages.Select(s => s.Name))}");
        if (type is not null && !EventTypes.All.Contains(type))
            return Problems.Fields("type", $"unknown event type '{type}'; types are {string.Join(", ", EventTypes.All)}");
        if (await Batch(manager, batchId, cancel) is not { } batch) return Problems.BatchNotFound(batchId);
        var take = limit ?? 500;
        var rows = await events.EventsAfterAsync(batchId, new EventFilter(stage, type, string.IsNullOrWhiteSpace(file) ? null : file.Trim()), after ?? 0, take, cancel);
        var settled = batch.FinishedAt is { } finished && DateTimeOffset.UtcNow - finished > SettleAfterFinish;
        return TypedResults.Ok(new CursorPage<BatchEvent>(rows, rows.Count > 0 ? rows[^1].Id : after ?? 0, settled && rows.Count < take));
    }

    private static ProblemHttpResult? Limit(int? limit) =>
        limit is < 1 or > MaxLimit ? Problems.Fields("limit", $"must be between 1 and {MaxLimit}") : null;

    private static async Task<BatchSummary?> Batch(IRequiredActor<BatchManager> manager, long batchId, CancellationToken cancel) =>
        (await manager.ActorRef.Ask<BatchReplies.List>(BatchQueries.GetBatches.Instance, TimeSpan.FromSeconds(30), cancel)).Batches.FirstOrDefault(b => b.BatchId == batchId);

    /// <summary>The error a file_error row's payload names.</summary>
    private static string? ErrorOf(string? payload)
    {
        if (payload is null) return null;
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("error", out var error) ? error.ToString() : payload;
        }
        catch (JsonException)
        {
            return payload;
        }
    }

    private static string CsvLine(FileResult r) => string.Join(",",
        r.BatchId.ToString(CultureInfo.InvariantCulture), r.FileId.ToString(CultureInfo.InvariantCulture), Csv(r.FileName), Csv(r.Status), Csv(r.Reason), Csv(r.Result),
        r.CompletedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));

    private static string Csv(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
