using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cofi.Actors.Metrics;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Logging;

/// <summary>
/// Keeps the read model (batchExecutionLog, processing_logs, fileDistribution, batchStatus, file_results) in step with
/// the journal. It projects every event the pipeline records (<see cref="JournalRecorded"/>) into rows, buffers them,
/// and writes them in groups — at <c>flush-rows</c> log rows or after <c>flush-interval</c> — in one transaction that
/// also stores, per persistent actor, the sequence number the rows reach. Exactly once: an event at or below that
/// position is never projected again, and whatever the read model lacks (a crash lost the buffer, an event went by
/// while the writer was restarting) is read back from that actor's own journal, at start for every actor and
/// whenever a gap shows. While the database is down it keeps every row and retries with backoff; past the
/// high-water mark it tells the stages to stop handing out work (<see cref="WriterPressure"/>).
/// Every coordinator node runs one, so two may share a database (a standby, or the node taking over after a
/// failover): each flush is refused when another writer moved a position it builds on, and the writer then drops
/// what it holds for those actors and reads them back from the journal. Every <c>sweep-interval</c> it compares
/// each actor's journal head with the read model; an actor whose position stayed behind its head since the last
/// sweep (its writer died with rows unwritten) is read back here.
/// </summary>
public sealed class EventWriter : ReceiveActor, IWithTimers
{
    public const string Name = "event-writer";

    private sealed record FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed record RetryFlush
    {
        public static readonly RetryFlush Instance = new();
    }

    private sealed record PauseSummaryDue
    {
        public static readonly PauseSummaryDue Instance = new();
    }

    private sealed record Sweep
    {
        public static readonly Sweep Instance = new();
    }

    /// <summary>
    /// A flush's outcome, how long its transaction took and the CPU time its thread used meanwhile, measured where it
    /// ran (not counting the wait for this mailbox).
    /// </summary>
    private sealed record Flushed(ReadModelStore.WriteResult Result, TimeSpan Took, TimeSpan Cpu);

    private sealed record FlushFailed(Exception Cause);

    private sealed record Swept(Dictionary<string, long> Heads, Dictionary<string, Checkpoint> Checkpoints);

    private sealed record SweepFailed(Exception Cause);

    private sealed record CatchUp(string PersistenceId);

    private sealed record CaughtUp(string PersistenceId, Checkpoint From, IReadOnlyList<EventEnvelope> Events);

    private sealed record CatchUpFailed(string PersistenceId, Exception Cause);

    /// <summary>What the writer knows of one persistent actor: its projected position (null until read from the database).</summary>
    private sealed class Follow
    {
        public Checkpoint? Position { get; set; }

        public bool CatchingUp { get; set; }

        public int Failures { get; set; }

        public List<JournalRecorded> Pending { get; } = new();
    }

    private readonly ReadModelStore _store;
    private readonly ReadModelOptions _options;
    private readonly EventWriterSettings _settings;
    private readonly SqlReadJournal _journal;
    private readonly IMaterializer _materializer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CofiMetrics _metrics = CofiMetrics.Get(Context.System);
    private readonly Dictionary<string, Follow> _follows = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _drainWaiters = new();
    private readonly Dictionary<string, long> _lastSweepPositions = new(StringComparer.Ordinal);

    private ReadModelChanges _buffer = new();
    private DateTime? _oldestBuffered;
    private ReadModelChanges? _inFlight;
    private DateTime _inFlightOldest;
    private int _flushFailures;
    private int _sweepFailures;
    private bool _swept;
    private bool _behind;
    // Pauses of the stages since the last summary line, and the largest backlog among them.
    private int _pausesUnreported;
    private int _largestPauseBacklog;

    private long _rows, _statements, _logRows, _logStatements, _flushes, _failedFlushes, _refusedFlushes, _pauses;
    private TimeSpan _largestDelay, _writeTime, _writeCpu;

    public EventWriter(ReadModelStore store, ReadModelOptions options, EventWriterSettings settings)
    {
        _store = store;
        _options = options;
        _settings = settings;
        _journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        _materializer = Context.Materializer();

        Receive<JournalRecorded>(OnRecorded);
        Receive<FlushTick>(_ => StartFlush());
        Receive<PauseSummaryDue>(_ => ReportPauses());
        Receive<RetryFlush>(_ =>
        {
            if (_behind) Context.System.EventStream.Publish(new WriterPressure(true, _buffer.Rows));
            Write();
        });
        Receive<Flushed>(OnFlushed);
        Receive<FlushFailed>(OnFlushFailed);
        Receive<Sweep>(_ => StartSweep());
        Receive<Swept>(OnSwept);
        Receive<SweepFailed>(m =>
        {
            _sweepFailures++;
            _log.Warning("EventWriter: cannot compare the read model with the journal ({0}); retrying", m.Cause.Message);
            Timers.StartSingleTimer("sweep", Sweep.Instance, _swept ? Max(Backoff(_sweepFailures), _settings.SweepInterval) : Backoff(_sweepFailures));
        });
        Receive<CatchUp>(m => StartCatchUp(m.PersistenceId));
        Receive<CaughtUp>(OnCaughtUp);
        Receive<CatchUpFailed>(m =>
        {
            var follow = _follows[m.PersistenceId];
            follow.Failures++;
            _log.Warning("EventWriter: cannot read {0} back from the journal ({1}); retrying", m.PersistenceId, m.Cause.Message);
            Timers.StartSingleTimer("catch-up-" + m.PersistenceId, new CatchUp(m.PersistenceId), Backoff(follow.Failures));
        });
        Receive<EventWriterCommands.GetStats>(_ => Sender.Tell(Stats()));
        Receive<EventWriterCommands.Drain>(_ =>
        {
            _drainWaiters.Add(Sender);
            StartFlush();
            CheckDrained();
        });
    }

    public static Props Props(ReadModelStore store, ReadModelOptions options, EventWriterSettings settings) =>
        Akka.Actor.Props.Create(() => new EventWriter(store, options, settings));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => StartSweep();

    private int Buffered => _buffer.Rows + (_inFlight?.Rows ?? 0);

    private void OnRecorded(JournalRecorded m)
    {
        if (!_follows.TryGetValue(m.PersistenceId, out var follow)) _follows[m.PersistenceId] = follow = new Follow();
        if (follow.CatchingUp)
        {
            follow.Pending.Add(m);
            return;
        }
        if (follow.Position is not { } position || m.SequenceNr > position.SequenceNr + 1)
        {
            // Never seen, or an event went by unseen: read the journal from the last projected position.
            follow.Pending.Add(m);
            StartCatchUp(m.PersistenceId);
            return;
        }
        if (m.SequenceNr <= position.SequenceNr) return;
        Project(m.PersistenceId, follow, m.SequenceNr, m.Event);
        MaybeFlush();
    }

    private void Project(string persistenceId, Follow follow, long sequenceNr, object @event)
    {
        if (_buffer.IsEmpty) _oldestBuffered = DateTime.UtcNow;
        follow.Position = ReadModelProjection.Project(persistenceId, sequenceNr, @event, follow.Position ?? Checkpoint.Start, _options, _buffer);
    }

    private void StartCatchUp(string persistenceId)
    {
        var follow = _follows[persistenceId];
        if (follow.CatchingUp) return;
        follow.CatchingUp = true;
        var known = follow.Position;
        var store = _store;
        var journal = _journal;
        var materializer = _materializer;
        Task.Run(async () =>
        {
            var from = known ?? store.Checkpoints().GetValueOrDefault(persistenceId) ?? Checkpoint.Start;
            var events = await journal.CurrentEventsByPersistenceId(persistenceId, from.SequenceNr + 1, long.MaxValue)
                .RunWith(Sink.Seq<EventEnvelope>(), materializer);
            return new CaughtUp(persistenceId, from, events);
        }).PipeTo(Self, failure: e => new CatchUpFailed(persistenceId, e));
    }

    private void OnCaughtUp(CaughtUp m)
    {
        var follow = _follows[m.PersistenceId];
        follow.Position = m.From;
        follow.CatchingUp = false;
        follow.Failures = 0;
        foreach (var envelope in m.Events.OrderBy(e => e.SequenceNr))
            if (envelope.SequenceNr > follow.Position.SequenceNr) Project(m.PersistenceId, follow, envelope.SequenceNr, envelope.Event);
        var pending = follow.Pending.OrderBy(p => p.SequenceNr).ToList();
        follow.Pending.Clear();
        foreach (var p in pending) OnRecorded(p);
        MaybeFlush();
        CheckDrained();
    }

    private void StartSweep()
    {
        var store = _store;
        Task.Run(() => new Swept(store.JournalHeads(), store.Checkpoints())).PipeTo(Self, failure: e => new SweepFailed(e));
    }

    /// <summary>
    /// At start every actor behind its journal head is read back (the last run died with rows unwritten). Later
    /// sweeps adopt positions another writer has moved on, and read back an actor whose journal is ahead only when
    /// nobody else is writing it: its stored position is where this writer left it, or has not moved since the
    /// previous sweep.
    /// </summary>
    private void OnSwept(Swept m)
    {
        var first = !_swept;
        _swept = true;
        _sweepFailures = 0;
        foreach (var (persistenceId, head) in m.Heads)
        {
            var stored = m.Checkpoints.GetValueOrDefault(persistenceId) ?? Checkpoint.Start;
            var unmoved = _lastSweepPositions.GetValueOrDefault(persistenceId, -1) == stored.SequenceNr;
            _lastSweepPositions[persistenceId] = stored.SequenceNr;
            if (!_follows.TryGetValue(persistenceId, out var follow)) _follows[persistenceId] = follow = new Follow();
            if (follow.CatchingUp) continue;
            var mine = follow.Position is { } known && stored.SequenceNr <= known.SequenceNr;
            if (follow.Position is null || (stored.SequenceNr > follow.Position.SequenceNr && !Holds(persistenceId))) follow.Position = stored;
            if (head > follow.Position.SequenceNr && (first || mine || unmoved))
            {
                _log.Info("EventWriter: read model is behind the journal of {0} ({1} < {2}); catching up", persistenceId, follow.Position.SequenceNr, head);
                StartCatchUp(persistenceId);
            }
        }
        Timers.StartSingleTimer("sweep", Sweep.Instance, _settings.SweepInterval);
        CheckDrained();
    }

    private bool Holds(string persistenceId) => _buffer.Offsets.ContainsKey(persistenceId) || _inFlight?.Offsets.ContainsKey(persistenceId) == true;

    private void MaybeFlush()
    {
        if (_inFlight is null && !_buffer.IsEmpty)
        {
            // While a drain waits (shutdown), rows that arrive late — an actor's catch-up finishing — go at once, not at the interval.
            if (_buffer.Log.Count >= _settings.FlushRows || _drainWaiters.Count > 0)
            {
                StartFlush();
                return;
            }
            if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", FlushTick.Instance, _settings.FlushInterval);
        }
        UpdatePressure();
    }

    private void StartFlush()
    {
        if (_inFlight is null && !_buffer.IsEmpty)
        {
            Timers.Cancel("flush");
            _inFlight = _buffer;
            _inFlightOldest = _oldestBuffered ?? DateTime.UtcNow;
            _buffer = new ReadModelChanges();
            _oldestBuffered = null;
            Write();
        }
        // Rows that went into the flush are the database's now: stages paused for them may go on.
        UpdatePressure();
    }

    private void Write()
    {
        if (_inFlight is not { } changes) return;
        var store = _store;
        Task.Run(() =>
        {
            var started = Stopwatch.GetTimestamp();
            var cpu = ThreadCpuTime.Now();
            var result = store.Write(changes);
            return new Flushed(result, Stopwatch.GetElapsedTime(started), ThreadCpuTime.Now() - cpu);
        }).PipeTo(Self, failure: e => new FlushFailed(e));
    }

    private void OnFlushed(Flushed m)
    {
        if (m.Result.Conflicts.Count > 0)
        {
            Refused(m.Result.Conflicts);
            return;
        }
        if (_flushFailures > 0) _log.Warning("EventWriter: database available again after {0} failed attempts", _flushFailures);
        _flushFailures = 0;
        _writeTime += m.Took;
        _writeCpu += m.Cpu;
        _metrics.FlushDuration.Record(m.Took.TotalSeconds);
        _metrics.Statements.Add(m.Result.Statements);
        _metrics.RowsWritten.Add(m.Result.Rows);
        _rows += m.Result.Rows;
        _statements += m.Result.Statements;
        _logRows += _inFlight!.Log.Count;
        _logStatements += m.Result.LogStatements;
        _flushes++;
        var delay = DateTime.UtcNow - _inFlightOldest;
        if (delay > _largestDelay) _largestDelay = delay;
        _inFlight = null;
        MaybeFlush();
        CheckDrained();
    }

    /// <summary>
    /// Another writer moved the positions of <paramref name="conflicts"/>: everything held was built on positions
    /// that no longer hold, so it is dropped, and each actor it touched is read back from the journal from the
    /// stored position — at once, or for the conflicting ones when the next event or sweep shows them behind.
    /// </summary>
    private void Refused(IReadOnlyList<string> conflicts)
    {
        _refusedFlushes++;
        var touched = _inFlight!.Offsets.Keys.Concat(_buffer.Offsets.Keys).ToHashSet(StringComparer.Ordinal);
        _log.Warning("EventWriter: another writer moved the read model of {0} on; dropping {1} rows and reading {2} actors back from the journal",
            string.Join(", ", conflicts), Buffered, touched.Count);
        _inFlight = null;
        _buffer = new ReadModelChanges();
        _oldestBuffered = null;
        Timers.Cancel("flush");
        foreach (var persistenceId in touched)
        {
            var follow = _follows[persistenceId];
            if (follow.CatchingUp) continue;
            follow.Position = null;
            if (!conflicts.Contains(persistenceId)) StartCatchUp(persistenceId);
        }
        UpdatePressure();
        CheckDrained();
    }

    private void OnFlushFailed(FlushFailed m)
    {
        _flushFailures++;
        _failedFlushes++;
        if (_flushFailures == 1 || _flushFailures % 10 == 0)
            _log.Warning("EventWriter: writing {0} rows failed ({1} attempts so far): {2}; keeping them and retrying", _inFlight!.Rows, _flushFailures, m.Cause.Message);
        UpdatePressure();
        Timers.StartSingleTimer("retry", RetryFlush.Instance, Backoff(_flushFailures));
    }

    /// <summary>
    /// Behind while the rows waiting for a flush reach the high-water mark: the database has not taken the previous
    /// group in the time the pipeline produced that many more. Rows of the flush under way are the database's to
    /// take, so they do not count: a large group going in after a burst is not a reason to stop the stages.
    /// </summary>
    private void UpdatePressure()
    {
        var waiting = _buffer.Rows;
        _metrics.WriterBuffered(Buffered);
        if (!_behind && waiting >= _settings.HighWaterMark) _behind = true;
        else if (_behind && waiting < _settings.HighWaterMark / 2) _behind = false;
        else return;
        _metrics.WriterPaused(_behind);
        Context.System.EventStream.Publish(new WriterPressure(_behind, waiting));
        if (!_behind) return;
        _metrics.WriterPauses.Add(1);
        _pauses++;
        // The first pause is told at once; later ones are summed up at most once a minute.
        if (Timers.IsTimerActive("pause-summary"))
        {
            _pausesUnreported++;
            _largestPauseBacklog = Math.Max(_largestPauseBacklog, waiting);
            return;
        }
        _log.Warning("EventWriter: {0} rows buffered waiting for the database ({1} more being written); stages pause handing out work until it catches up (further pauses are summed up once a minute)",
            waiting, _inFlight?.Rows ?? 0);
        Timers.StartSingleTimer("pause-summary", PauseSummaryDue.Instance, TimeSpan.FromMinutes(1));
    }

    private void ReportPauses()
    {
        if (_pausesUnreported == 0) return;
        _log.Warning("EventWriter: stages paused {0} more times in the last minute (largest backlog {1} rows)", _pausesUnreported, _largestPauseBacklog);
        _pausesUnreported = 0;
        _largestPauseBacklog = 0;
        Timers.StartSingleTimer("pause-summary", PauseSummaryDue.Instance, TimeSpan.FromMinutes(1));
    }

    private void CheckDrained()
    {
        if (_drainWaiters.Count == 0 || !_swept || _inFlight is not null || !_buffer.IsEmpty || _follows.Values.Any(f => f.CatchingUp)) return;
        var stats = Stats();
        foreach (var waiter in _drainWaiters) waiter.Tell(stats);
        _drainWaiters.Clear();
    }

    private TimeSpan Backoff(int failures)
    {
        var ms = _settings.RetryBackoffMin.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _settings.RetryBackoffMax.TotalMilliseconds));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private EventWriterStats Stats() =>
        new(_rows, _statements, _logRows, _logStatements, _flushes, _failedFlushes, _refusedFlushes, _largestDelay, Buffered, _behind, _pauses, _writeTime, _writeCpu);
}
