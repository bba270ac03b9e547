using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Host.Web.Events;
using Cofi.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Host.Web;

/// <summary>
/// A batch's event log (paged, filtered by stage, type and file), its files, and one file's timeline, from the
/// read-model tables. The read model trails the journal by at most one EventWriter flush.
/// </summary>
public static partial class EventApi
{
    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapEventApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches/{batchId:long}").WithTags("events").RequireRole(Role.Viewer);
        group.MapGet("/events", EventsAsync).WithName("BatchEvents");
        group.MapGet("/files", FilesAsync).WithName("BatchFiles");
        group.MapGet("/timeline", TimelineAsync).WithName("FileTimeline");
        return group;
    }

    /// <param name="order"><c>oldest</c> (the default) or <c>newest</c> first.</param>
    /// <param name="status">only the rows of this status, e.g. <c>quarantined</c> with <c>type=file_error</c>.</param>
    public static async Task<Results<Ok<EventPage>, ValidationProblem, ProblemHttpResult>> EventsAsync(long batchId, string? stage, string? type, string? file,
        string? status, int? page, int? pageSize, string? order, CofiSettings settings, ReadModelEvents events, IRequiredActor<BatchManager> manager, CancellationToken cancel)
    {
        if (order is not (null or "oldest" or "newest")) return Problems.Invalid("order", $"must be 'oldest' or 'newest', got '{order}'");
        if (stage is not null && settings.Pipeline.IndexOf(stage) < 0)
            return Problems.Invalid("stage", $"unknown stage '{stage}'; stages are {string.Join(", ", settings.Pipeline.Stages.Select(s => s.Name))}");
        if (type is not null && !EventTypes.All.Contains(type))
            return Problems.Invalid("type", $"unknown event type '{type}'; types are {string.Join(", ", EventTypes.All)}");
        if (status is not null && !StatusPattern().IsMatch(status))
            return Problems.Invalid("status", $"must be a status as the log writes it, such as failed or quarantined (got '{status}')");
        if (Paging(page, pageSize) is { } invalid) return invalid;
        if (!await ExistsAsync(manager, batchId, cancel)) return Problems.BatchNotFound(batchId);
        var filter = new EventFilter(stage, type, string.IsNullOrWhiteSpace(file) ? null : file.Trim(), status);
        return TypedResults.Ok(await events.EventsAsync(batchId, filter, page ?? 1, pageSize ?? 50, cancel, order == "newest"));
    }

    public static async Task<Results<Ok<FilePage>, ValidationProblem, ProblemHttpResult>> FilesAsync(long batchId, string? search, int? page, int? pageSize,
        ReadModelEvents events, IRequiredActor<BatchManager> manager, CancellationToken cancel)
    {
        if (Paging(page, pageSize) is { } invalid) return invalid;
        if (!await ExistsAsync(manager, batchId, cancel)) return Problems.BatchNotFound(batchId);
        return TypedResults.Ok(await events.FilesAsync(batchId, string.IsNullOrWhiteSpace(search) ? null : search.Trim(), page ?? 1, pageSize ?? 50, cancel));
    }

    public static async Task<Results<Ok<FileTimeline>, ValidationProblem, ProblemHttpResult>> TimelineAsync(long batchId, string? file,
        ReadModelEvents events, IRequiredActor<BatchManager> manager, CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(file)) return Problems.Invalid("file", "the file's name is required, as the batch lists it (e.g. call-00001.wav)");
        if (!await ExistsAsync(manager, batchId, cancel)) return Problems.BatchNotFound(batchId);
        var timeline = await events.TimelineAsync(batchId, file, cancel);
        return timeline is null ? Problems.NotFound("file not found", $"batch {batchId} has recorded nothing for a file named '{file}'") : TypedResults.Ok(timeline);
    }

    private static ValidationProblem? Paging(int? page, int? pageSize)
    {
        if (page is < 1) return Problems.Invalid("page", "must be at least 1");
        if (pageSize is < 1 or > MaxPageSize) return Problems.Invalid("pageSize", $"must be between 1 and {MaxPageSize}");
        return null;
    }

    /// <summary>Asked of the BatchManager's memory, so an unknown batch costs no database query.</summary>
    private static async Task<bool> ExistsAsync(IRequiredActor<BatchManager> manager, long batchId, CancellationToken cancel) =>
        (await manager.ActorRef.Ask<BatchReplies.List>(BatchQueries.GetBatches.Instance, TimeSpan.FromSeconds(30), cancel)).Batches.Any(b => b.BatchId == batchId);

    [GeneratedRegex("^[a-z_]{1,32}$")]
    private static partial Regex StatusPattern();
}
