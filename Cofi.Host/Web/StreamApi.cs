using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Progress;
using Cofi.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Cofi.Management.Security;

namespace Cofi.Host.Web;

/// <summary>
/// Server-Sent Events of live progress, for every batch or one. Each connection reads its own bounded channel from
/// the ProgressBroadcaster: a snapshot first (or, with <c>Last-Event-ID</c>, the frames after it), then deltas.
/// Nothing here touches the database.
/// </summary>
public static class StreamApi
{
    public static RouteGroupBuilder MapStreamApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("progress").RequireRole(Role.Viewer);
        group.MapGet("/stream", (HttpContext http, IRequiredActor<ProgressBroadcaster> broadcaster, CancellationToken cancel) =>
            Stream(http, broadcaster.ActorRef, null, cancel)).WithName("StreamAllBatches");
        group.MapGet("/batches/{batchId:long}/stream", async Task<Results<ServerSentEventsResult<ProgressFrame>, ProblemHttpResult>> (
            long batchId, HttpContext http, IRequiredActor<ProgressBroadcaster> broadcaster, BatchReads reads, CancellationToken cancel) =>
        {
            var (batches, _) = await reads.ListAsync();
            if (batches.All(b => b.BatchId != batchId)) return Problems.BatchNotFound(batchId);
            return Stream(http, broadcaster.ActorRef, batchId, cancel) switch
            {
                ServerSentEventsResult<ProgressFrame> events => events,
                ProblemHttpResult problem => problem,
                var other => throw new InvalidOperationException(other.GetType().Name),
            };
        }).WithName("StreamBatch");
        group.MapGet("/progress/figures", async (IRequiredActor<ProgressBroadcaster> broadcaster) =>
            TypedResults.Ok(await broadcaster.ActorRef.Ask<ProgressFigures>(ProgressQueries.GetFigures.Instance, TimeSpan.FromSeconds(10))))
            .WithName("ProgressFigures");
        return group;
    }

    private static IResult Stream(HttpContext http, IActorRef broadcaster, long? batchId, CancellationToken cancel)
    {
        var raw = http.Request.Headers["Last-Event-ID"].ToString();
        if (raw.Length == 0) raw = http.Request.Query["lastEventId"].ToString();
        long? lastEventId = null;
        if (raw.Length > 0)
        {
            if (!long.TryParse(raw, out var parsed) || parsed < 0)
                return Problems.BadRequest("bad Last-Event-ID", $"Last-Event-ID must be a frame id (a whole number), got '{raw}'");
            lastEventId = parsed;
        }
        return TypedResults.ServerSentEvents(Frames(broadcaster, batchId, lastEventId, cancel));
    }

    private static async IAsyncEnumerable<SseItem<ProgressFrame>> Frames(IActorRef broadcaster, long? batchId, long? lastEventId,
        [EnumeratorCancellation] CancellationToken cancel)
    {
        var subscription = await broadcaster.Ask<ProgressSubscription>(new ProgressCommands.Subscribe(batchId, lastEventId), TimeSpan.FromSeconds(10), cancel);
        try
        {
            await foreach (var frame in subscription.Frames.ReadAllAsync(cancel))
                yield return new SseItem<ProgressFrame>(frame, frame.Type) { EventId = frame.Id.ToString() };
        }
        finally
        {
            broadcaster.Tell(new ProgressCommands.Unsubscribe(subscription.Id));
        }
    }
}
