using Akka.Actor;
using Akka.Hosting;
using Akka.Pattern;
using Cofi.Actors.Batches;
using Cofi.Actors.Progress;

namespace Cofi.Host.Web;

/// <summary>
/// The API's reads of batches. They ask the BatchManager; in a cluster it is a singleton that can be on a coordinator
/// that just died, or not yet started on the one taking over (some 14 s, by the failure detector's and split-brain resolver's margins in hocon/cluster.conf). There
/// a read it does not answer within a second trips a circuit breaker, and until a trial read finds it answering again,
/// reads are answered at once from this coordinator's ProgressBroadcaster: the batches and stage counts it has been
/// told over distributed pub-sub, which a standby keeps as current as the active coordinator does.
/// </summary>
public sealed class BatchReads
{
    /// <summary>The response header of an answer from live progress rather than the BatchManager.</summary>
    public const string AnsweredByHeader = "Cofi-Answered-By";

    public const string FromProgress = "progress";

    private static readonly TimeSpan LocalAskTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClusterAskTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TrialAfter = TimeSpan.FromSeconds(5);

    private readonly IRequiredActor<BatchManager> _manager;
    private readonly IRequiredActor<ProgressBroadcaster> _broadcaster;

    /// <summary>null outside a cluster, where the BatchManager is in this process and there is nothing to fall back on.</summary>
    private readonly CircuitBreaker? _breaker;

    public BatchReads(ActorSystem system, IRequiredActor<BatchManager> manager, IRequiredActor<ProgressBroadcaster> broadcaster)
    {
        _manager = manager;
        _broadcaster = broadcaster;
        if (ClusterApi.IsCluster(system)) _breaker = new CircuitBreaker(system.Scheduler, 1, ClusterAskTimeout, TrialAfter);
    }

    /// <returns>every batch; <c>FromProgress</c> when the BatchManager did not answer.</returns>
    public async Task<(IReadOnlyList<BatchSummary> Batches, bool FromProgress)> ListAsync()
    {
        if (await AskManagerAsync<BatchReplies.List>(BatchQueries.GetBatches.Instance) is { } list) return (list.Batches, false);
        return ((await SnapshotAsync(null)).Batches, true);
    }

    /// <returns>the BatchManager's <see cref="BatchReplies.Status"/> or <see cref="BatchReplies.NotFound"/>; when it did not answer, a
    /// <see cref="BatchReplies.Status"/> from live progress, or null if this coordinator has seen nothing of the batch.</returns>
    public async Task<(object? Reply, bool FromProgress)> StatusAsync(long batchId)
    {
        if (await AskManagerAsync<object>(new BatchQueries.GetStatus(batchId)) is { } reply) return (reply, false);
        var snapshot = await SnapshotAsync(batchId);
        return (snapshot.Batches.SingleOrDefault() is { } batch ? new BatchReplies.Status(batch, snapshot.Stages) : null, true);
    }

    /// <returns>the BatchManager's <see cref="BatchStragglers"/> or <see cref="BatchReplies.NotFound"/>; null when it did not answer
    /// (live progress knows no calls in flight).</returns>
    public Task<object?> StragglersAsync(long batchId, int limit) => AskManagerAsync<object>(new BatchQueries.GetStragglers(batchId, limit));

    /// <returns>null when the BatchManager did not answer in a cluster.</returns>
    private async Task<T?> AskManagerAsync<T>(object query) where T : class
    {
        if (_breaker is null) return await _manager.ActorRef.Ask<T>(query, LocalAskTimeout);
        try
        {
            return await _breaker.WithCircuitBreaker(cancel => _manager.ActorRef.Ask<T>(query, ClusterAskTimeout, cancel));
        }
        catch (Exception e) when (e is OpenCircuitException or TimeoutException or AskTimeoutException or OperationCanceledException)
        {
            return null;
        }
    }

    private Task<ProgressFrame> SnapshotAsync(long? batchId) =>
        _broadcaster.ActorRef.Ask<ProgressFrame>(new ProgressQueries.GetSnapshot(batchId), TimeSpan.FromSeconds(10));
}
