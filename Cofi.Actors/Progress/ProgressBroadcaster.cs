using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Metrics;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Progress;

/// <summary>
/// Turns the progress stages publish after each recorded group into frames for web subscribers. Per batch and
/// stage it sends a frame at once when <c>frame-every</c> events have gathered or <c>frame-interval</c> has passed
/// since the last one, and otherwise when that interval ends. Each subscriber reads from its own bounded channel
/// that drops its oldest frame when the client falls behind, so a slow viewer never grows memory or slows others.
/// It never reads the database: a new subscriber's snapshot is built from what it has been told.
/// In a cluster, stages run on whichever coordinator holds the BatchManager singleton: every broadcaster relays what
/// its own node publishes to the <see cref="Topic"/> (distributed pub-sub among coordinators) and builds its frames
/// from that topic, so a dashboard served by any coordinator sees every batch. It relays the breaker changes of GPU
/// machines the same way, for the coordinators' <see cref="History.HistoryKeeper"/>s: those its node's own workers
/// publish, and those a GPU node sends to the broadcaster where the batch runs (at <see cref="PathAt"/>).
/// </summary>
public sealed class ProgressBroadcaster : ReceiveActor, IWithTimers
{
    public const string Name = "progress-broadcaster";

    public const string Topic = "cofi-progress";

    private sealed record FrameDue((long Batch, string Stage) Key);

    private sealed class Pending
    {
        public StageCounts Counts = null!;
        public int Events;
        public DateTimeOffset OldestAt;
        public readonly List<RecentFile> Files = new();
    }

    /// <summary>A viewer's channel. <see cref="Lagged"/>: it lost a frame, so what it holds no longer adds up to the state.</summary>
    private sealed class Subscriber(long? batchId)
    {
        public long? BatchId { get; } = batchId;

        public Channel<ProgressFrame> Channel { get; set; } = null!;

        public bool Lagged { get; set; }
    }

    private readonly ProgressSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CofiMetrics _metrics = CofiMetrics.Get(Context.System);
    private readonly SortedDictionary<(long Batch, string Stage), StageCounts> _stages = new();
    private readonly List<string> _stageOrder;
    private readonly SortedDictionary<long, BatchSummary> _batches = new();
    private readonly Dictionary<(long Batch, string Stage), Pending> _pending = new();
    private readonly Dictionary<(long Batch, string Stage), DateTimeOffset> _lastFrameAt = new();
    private readonly Dictionary<Guid, Subscriber> _subscribers = new();
    private readonly Queue<ProgressFrame> _replay = new();
    private readonly MachineStats _machines = new();
    private long _lastId;
    private long _eventsIn;
    private long _framesOut;
    private long _eventsCoalesced;
    private long _framesDropped;
    private IActorRef? _mediator;

    /// <param name="stageOrder">the pipeline's stage names in order, so snapshots list stages the way the pipeline runs them.</param>
    public ProgressBroadcaster(ProgressSettings settings, IReadOnlyList<string> stageOrder, TimeProvider clock)
    {
        _settings = settings;
        _stageOrder = stageOrder.ToList();
        _clock = clock;

        Receive<StageProgress>(m =>
        {
            if (_mediator is null) OnProgress(m);
            else _mediator.Tell(new Publish(Topic, new ProgressRelay.Stage(m)));
        });
        Receive<BatchUpdated>(m =>
        {
            if (_mediator is null) OnBatch(m);
            else _mediator.Tell(new Publish(Topic, new ProgressRelay.Batch(m)));
        });
        Receive<ProgressRelay.Stage>(m => OnProgress(m.Progress));
        Receive<BatchForgotten>(m =>
        {
            if (_mediator is null) OnForgotten(m);
            else _mediator.Tell(new Publish(Topic, new ProgressRelay.Forgotten(m)));
        });
        Receive<MachineCircuitChanged>(m => _mediator?.Tell(new Publish(Topic, new ProgressRelay.Circuit(m))));
        Receive<ProgressRelay.Batch>(m => OnBatch(m.Update));
        // The topic brings breaker changes back here too; they are the history keepers'.
        Receive<ProgressRelay.Circuit>(_ => { });
        Receive<ProgressRelay.Forgotten>(m => OnForgotten(m.Batch));
        Receive<SubscribeAck>(_ => _log.Debug("Progress broadcaster subscribed to {0}", Topic));
        Receive<FrameDue>(m => SendStageFrame(m.Key));
        Receive<ProgressCommands.Subscribe>(OnSubscribe);
        Receive<ProgressCommands.Unsubscribe>(m =>
        {
            if (!_subscribers.Remove(m.SubscriptionId, out var subscriber)) return;
            subscriber.Channel.Writer.TryComplete();
            _metrics.SseSubscribers.Add(-1);
        });
        Receive<ProgressQueries.GetFigures>(_ => Sender.Tell(Figures()));
        Receive<ProgressQueries.GetMachines>(_ => Sender.Tell(new MachineLoadList(_machines.Loads(_clock.GetUtcNow()))));
        Receive<ProgressQueries.GetSnapshot>(m => Sender.Tell(Snapshot(m.BatchId)));
    }

    public static Props Props(ProgressSettings settings, IReadOnlyList<string> stageOrder, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new ProgressBroadcaster(settings, stageOrder, clock));

    /// <summary>The broadcaster of the node at <paramref name="address"/>.</summary>
    public static ActorPath PathAt(Address address) => new RootActorPath(address) / "user" / Name;

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(StageProgress));
        Context.System.EventStream.Subscribe(Self, typeof(BatchUpdated));
        Context.System.EventStream.Subscribe(Self, typeof(BatchForgotten));
        if (((ExtendedActorSystem)Context.System).Provider is IClusterActorRefProvider)
        {
            // Outside a cluster the history keeper hears the breaker changes on the event stream itself.
            Context.System.EventStream.Subscribe(Self, typeof(MachineCircuitChanged));
            _mediator = DistributedPubSub.Get(Context.System).Mediator;
            _mediator.Tell(new Subscribe(Topic, Self));
        }
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        foreach (var subscriber in _subscribers.Values) subscriber.Channel.Writer.TryComplete();
        _metrics.SseSubscribers.Add(-_subscribers.Count);
    }

    private ProgressFigures Figures() => new(_eventsIn, _framesOut, _eventsCoalesced, Interlocked.Read(ref _framesDropped), _subscribers.Count);

    private void OnBatch(BatchUpdated update)
    {
        _batches[update.Summary.BatchId] = update.Summary;
        Broadcast(Frame(FrameTypes.Batch, update.Summary.BatchId, [], [update.Summary], [], 0, null));
    }

    private void OnForgotten(BatchForgotten forgotten)
    {
        _batches.Remove(forgotten.BatchId);
        foreach (var key in _stages.Keys.Where(k => k.Batch == forgotten.BatchId).ToList())
        {
            _stages.Remove(key);
            _pending.Remove(key);
        }
        Broadcast(Frame(FrameTypes.Purged, forgotten.BatchId, [], [], [], 0, null));
    }

    private void OnProgress(StageProgress progress)
    {
        _eventsIn++;
        var key = (progress.Counts.BatchId, progress.Counts.Stage);
        _stages[key] = progress.Counts;
        _machines.Add(progress);
        if (!_pending.TryGetValue(key, out var pending)) _pending[key] = pending = new Pending { OldestAt = progress.At };
        pending.Counts = progress.Counts;
        pending.Events++;
        foreach (var record in progress.Recorded ?? [])
        {
            if (pending.Files.Count >= _settings.RecentFiles) break;
            pending.Files.Add(new RecentFile(record.FileId, record.Name, StatusName(record.Status), record.Machine, record.Reason, record.DurationMs));
        }

        var now = _clock.GetUtcNow();
        var sinceLast = _lastFrameAt.TryGetValue(key, out var last) ? now - last : TimeSpan.MaxValue;
        if (pending.Events >= _settings.FrameEvery || sinceLast >= _settings.FrameInterval || progress.Counts.Completed) SendStageFrame(key);
        else if (!Timers.IsTimerActive(key)) Timers.StartSingleTimer(key, new FrameDue(key), _settings.FrameInterval - sinceLast);
    }

    private void SendStageFrame((long Batch, string Stage) key)
    {
        Timers.Cancel(key);
        if (!_pending.Remove(key, out var pending)) return;
        _eventsCoalesced += pending.Events - 1;
        _lastFrameAt[key] = _clock.GetUtcNow();
        Broadcast(Frame(FrameTypes.Stage, key.Batch, [pending.Counts], [], pending.Files, pending.Events, pending.OldestAt));
    }

    private ProgressFrame Frame(string type, long? batchId, IReadOnlyList<StageCounts> stages, IReadOnlyList<BatchSummary> batches,
        IReadOnlyList<RecentFile> files, int events, DateTimeOffset? oldestAt) =>
        new(++_lastId, type, batchId, stages, batches, files, events, _clock.GetUtcNow(), oldestAt);

    private void Broadcast(ProgressFrame frame)
    {
        _replay.Enqueue(frame);
        while (_replay.Count > _settings.ReplayFrames) _replay.Dequeue();
        foreach (var subscriber in _subscribers.Values)
            if (subscriber.BatchId is null || subscriber.BatchId == frame.BatchId) Write(subscriber, frame);
    }

    /// <summary>
    /// Writes <paramref name="frame"/>, the oldest frame making room when the channel is full. A dropped frame may be
    /// the last one of a stage or a batch (its completion), which no later delta repeats: so once the subscriber has
    /// lost one, it gets a full snapshot as its newest frame instead of deltas, until a snapshot goes in without
    /// dropping anything — then the client has caught up, holds the whole state, and deltas resume.
    /// </summary>
    private void Write(Subscriber subscriber, ProgressFrame frame)
    {
        var wasLagged = subscriber.Lagged;
        if (wasLagged)
        {
            subscriber.Lagged = false;
            frame = Snapshot(subscriber.BatchId);
        }
        if (subscriber.Channel.Writer.TryWrite(frame)) _framesOut++;
        if (subscriber.Lagged && !wasLagged && subscriber.Channel.Writer.TryWrite(Snapshot(subscriber.BatchId))) _framesOut++;
    }

    private void OnSubscribe(ProgressCommands.Subscribe subscribe)
    {
        var id = Guid.NewGuid();
        var subscriber = new Subscriber(subscribe.BatchId);
        var channel = Channel.CreateBounded<ProgressFrame>(
            new BoundedChannelOptions(_settings.SubscriberBuffer)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = true,
            },
            // Runs inside TryWrite, on this actor's thread.
            _ =>
            {
                Interlocked.Increment(ref _framesDropped);
                _metrics.SseFramesDropped.Add(1);
                subscriber.Lagged = true;
            });
        subscriber.Channel = channel;
        var resumed = CanResume(subscribe.LastEventId);
        if (resumed)
        {
            foreach (var frame in _replay.Where(f => f.Id > subscribe.LastEventId && (subscribe.BatchId is null || f.BatchId == subscribe.BatchId)))
                Write(subscriber, frame);
        }
        else Write(subscriber, Snapshot(subscribe.BatchId));
        _subscribers[id] = subscriber;
        _metrics.SseSubscribers.Add(1);
        _log.Debug("Progress subscriber {0} for {1} ({2})", id, subscribe.BatchId?.ToString() ?? "every batch", resumed ? "resumed" : "snapshot");
        Sender.Tell(new ProgressSubscription(id, channel.Reader, resumed));
    }

    /// <summary>Resuming is exact only while every frame after the client's last one is still remembered.</summary>
    private bool CanResume(long? lastEventId)
    {
        if (lastEventId is not { } last || last > _lastId) return false;
        if (last == _lastId) return true;
        return _replay.TryPeek(out var oldest) && oldest.Id <= last + 1;
    }

    /// <summary>Everything known, stamped with the latest frame id so that a client resuming from it misses nothing.</summary>
    private ProgressFrame Snapshot(long? batchId)
    {
        var stages = _stages.Where(s => batchId is null || s.Key.Batch == batchId)
            .OrderBy(s => s.Key.Batch).ThenBy(s => Position(s.Key.Stage)).Select(s => s.Value).ToList();
        var batches = _batches.Values.Where(b => batchId is null || b.BatchId == batchId).ToList();
        return new ProgressFrame(_lastId, FrameTypes.Snapshot, batchId, stages, batches, [], 0, _clock.GetUtcNow(), null);
    }

    private int Position(string stage)
    {
        var index = _stageOrder.IndexOf(stage);
        return index < 0 ? int.MaxValue : index;
    }

    private static string StatusName(FileStatus status) => status.ToString().ToLowerInvariant();
}
