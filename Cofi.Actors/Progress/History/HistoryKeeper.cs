using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Cofi.Actors.Batches;
using Cofi.Actors.Gpu;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Progress.History;

/// <summary>
/// Keeps each recent batch's <see cref="BatchHistory"/> from the same progress the <see cref="ProgressBroadcaster"/>
/// turns into frames (the event stream, or in a cluster the coordinators' progress topic), plus the breaker changes
/// GPU workers publish (in a cluster relayed on the same topic, from the GPU nodes too), so a dashboard opened late,
/// reloaded, or after the batch ended sees the whole batch. A change reaches the history of every batch whose worker
/// is on the machine, since the breaker is the machine's and each batch's worker publishes it. Once a second it
/// samples the slots busy of every running batch. It keeps the <c>max-batches</c> most recent batches and never reads
/// the database: a batch that ran before this process started has no history here.
/// </summary>
public sealed class HistoryKeeper : ReceiveActor, IWithTimers
{
    public const string Name = "progress-history";

    public const int MaxBatches = 16;

    public const int Buckets = 600;

    private sealed record SampleTick
    {
        public static readonly SampleTick Instance = new();
    }

    private readonly IReadOnlyList<string> _stageOrder;
    private readonly IReadOnlyDictionary<string, int> _slotsByStage;
    private readonly TimeProvider _clock;
    private readonly SortedDictionary<long, BatchHistory> _batches = new();
    private readonly Dictionary<long, BatchStatus> _status = new();

    public HistoryKeeper(IReadOnlyList<string> stageOrder, IReadOnlyDictionary<string, int> slotsByStage, TimeProvider clock)
    {
        _stageOrder = stageOrder;
        _slotsByStage = slotsByStage;
        _clock = clock;
        Receive<StageProgress>(m => For(m.Counts.BatchId, m.At).Add(m));
        Receive<ProgressRelay.Stage>(m => For(m.Progress.Counts.BatchId, m.Progress.At).Add(m.Progress));
        Receive<BatchUpdated>(m => _status[m.Summary.BatchId] = m.Summary.Status);
        Receive<ProgressRelay.Batch>(m => _status[m.Update.Summary.BatchId] = m.Update.Summary.Status);
        Receive<BatchForgotten>(m => Forget(m.BatchId));
        Receive<ProgressRelay.Forgotten>(m => Forget(m.Batch.BatchId));
        Receive<MachineCircuitChanged>(Mark);
        Receive<ProgressRelay.Circuit>(m => Mark(m.Change));
        Receive<SubscribeAck>(_ => { });
        Receive<SampleTick>(_ =>
        {
            var now = _clock.GetUtcNow();
            foreach (var history in _batches.Values)
                if (_status.GetValueOrDefault(history.BatchId, BatchStatus.Running) == BatchStatus.Running) history.Sample(now);
        });
        Receive<HistoryQueries.GetThroughput>(m => Answer(m.BatchId, h => h.Throughput(_clock.GetUtcNow())));
        Receive<HistoryQueries.GetFleet>(m => Answer(m.BatchId, h => h.Fleet(_clock.GetUtcNow())));
        Receive<HistoryQueries.GetLatency>(m => Answer(m.BatchId, h => h.Latency(m.Machine)));
    }

    public static Props Props(IReadOnlyList<string> stageOrder, IReadOnlyDictionary<string, int> slotsByStage, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new HistoryKeeper(stageOrder, slotsByStage, clock));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (((ExtendedActorSystem)Context.System).Provider is IClusterActorRefProvider)
            DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ProgressBroadcaster.Topic, Self));
        else
        {
            Context.System.EventStream.Subscribe(Self, typeof(MachineCircuitChanged));
            Context.System.EventStream.Subscribe(Self, typeof(StageProgress));
            Context.System.EventStream.Subscribe(Self, typeof(BatchUpdated));
            Context.System.EventStream.Subscribe(Self, typeof(BatchForgotten));
        }
        Timers.StartPeriodicTimer(nameof(SampleTick), SampleTick.Instance, TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Answer(long batchId, Func<BatchHistory, object> read) =>
        Sender.Tell(_batches.TryGetValue(batchId, out var history) ? read(history) : new HistoryUnknown(batchId));

    private void Mark(MachineCircuitChanged change) => For(change.BatchId, change.At).Add(new CircuitMark(change.At, change.Machine, change.State));

    private void Forget(long batchId)
    {
        _batches.Remove(batchId);
        _status.Remove(batchId);
    }

    private BatchHistory For(long batchId, DateTimeOffset at)
    {
        if (_batches.TryGetValue(batchId, out var history)) return history;
        _batches[batchId] = history = new BatchHistory(batchId, at, _stageOrder, _slotsByStage, Buckets);
        while (_batches.Count > MaxBatches) Forget(_batches.Keys.First());
        return history;
    }
}
