using Cofi.Actors.Configuration;
using Cofi.Host.Web.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Cofi.Host.Web;

/// <summary>A batch's event log, paged and filtered by stage, type and file, and one file's timeline.</summary>
public static class EventApi
{
    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapEventApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches/{batchId:long}").WithTags("events");
        group.MapGet("/events", EventsAsync).WithName("BatchEvents");
        group.MapGet("/files/{fileId:int}", TimelineAsync).WithName("FileTimeline");
        return group;
    }

    public static async Task<Results<Ok<EventPage>, ValidationProblem, ProblemHttpResult>> EventsAsync(long batchId, string? stage, string? type, string? file,
        int? page, int? pageSize, CofiSettings settings, IBatchEventQuery query, CancellationToken cancel)
    {
        if (stage is not null && settings.Pipeline.IndexOf(stage) < 0)
            return Problems.Invalid("stage", $"unknown stage '{stage}'; stages are {string.Join(", ", settings.Pipeline.Stages.Select(s => s.Name))}");
        if (type is not null && !EventTypes.All.Contains(type))
            return Problems.Invalid("type", $"unknown event type '{type}'; types are {string.Join(", ", EventTypes.All)}");
        if (page is < 1) return Problems.Invalid("page", "must be at least 1");
        if (pageSize is < 1 or > MaxPageSize) return Problems.Invalid("pageSize", $"must be between 1 and {MaxPageSize}");
        var result = await query.EventsAsync(batchId, new EventFilter(stage, type, string.IsNullOrWhiteSpace(file) ? null : file.Trim()),
            page ?? 1, pageSize ?? 50, cancel);
        return result is null ? Problems.NotFound("no events", $"batch {batchId} has no recorded events (it does not exist or has not started)") : TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<FileTimeline>, ProblemHttpResult>> TimelineAsync(long batchId, int fileId, IBatchEventQuery query, CancellationToken cancel)
    {
        var timeline = await query.TimelineAsync(batchId, fileId, cancel);
        return timeline is null ? Problems.NotFound("file not found", $"batch {batchId} has no file {fileId}") : TypedResults.Ok(timeline);
    }
}
