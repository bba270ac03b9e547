using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cofi.Actors.Configuration;
using Cofi.Actors.Distribution;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Host.Web.Events;

/// <summary>
/// The event log folded from each stage's journal: one entry per recorded file and per completed stage, timed by
/// the group it was recorded in. Only the final attempt of a file is in the journal: its attempts count, machine
/// and duration.
/// </summary>
public sealed class JournalBatchEvents(ActorSystem system, CofiSettings settings) : IBatchEventQuery
{
    // Ids order events within a stage in journal order, stages in pipeline order; stable while the journal grows.
    private const long StageIdSpan = 1_000_000_000L;

    private readonly SqlReadJournal _journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    private readonly IMaterializer _materializer = system.Materializer();

    public async Task<EventPage?> EventsAsync(long batchId, EventFilter filter, int page, int pageSize, CancellationToken cancel)
    {
        var (events, _) = await AllAsync(batchId, cancel);
        if (events.Count == 0) return null;
        var matching = events.Where(e =>
                (filter.Stage is null || e.Stage == filter.Stage) &&
                (filter.Type is null || e.Type == filter.Type) &&
                (filter.File is null || (e.FileName?.Contains(filter.File, StringComparison.OrdinalIgnoreCase) ?? false) || e.FileId?.ToString() == filter.File))
            .OrderBy(e => e.At).ThenBy(e => e.Id)
            .ToList();
        return new EventPage(page, pageSize, matching.Count, matching.Skip((page - 1) * pageSize).Take(pageSize).ToList());
    }

    public async Task<FileTimeline?> TimelineAsync(long batchId, int fileId, CancellationToken cancel)
    {
        var (all, paths) = await AllAsync(batchId, cancel);
        var events = all.Where(e => e.FileId == fileId).ToList();
        if (events.Count == 0) return null;
        var path = paths.GetValueOrDefault(fileId);
        var steps = events.Select(e => new TimelineStep(e.Stage, e.Status, e.Reason, e.Attempts, e.Machine, e.DurationMs, e.At,
            new StageRequest($"{batchId}:{e.Stage}:{fileId}", path), e.Payload)).ToList();
        return new FileTimeline(batchId, fileId, events[0].FileName!, path, steps);
    }

    /// <summary>Every event of the batch, and each file's input path.</summary>
    private async Task<(List<BatchEvent> Events, Dictionary<int, string> Paths)> AllAsync(long batchId, CancellationToken cancel)
    {
        var events = new List<BatchEvent>();
        var paths = new Dictionary<int, string>();
        var stages = settings.Pipeline.Stages;
        for (var index = 0; index < stages.Count; index++)
        {
            var stage = stages[index].Name;
            var ordinal = 0L;
            BatchEvent Entry(string type, FileRecord? r, string status, DateTimeOffset at, int? total = null) =>
                new(index * StageIdSpan + ordinal++, batchId, stage, type, r?.FileId, r?.Name, status, r?.Reason, r?.Attempts ?? 0,
                    r?.Machine, r?.DurationMs ?? 0, at, r?.Result ?? (total is { } t ? $$"""{"totalFiles":{{t}}}""" : null));
            foreach (var e in await JournalAsync(StageActor.PersistenceIdFor(batchId, stage), cancel))
            {
                switch (e)
                {
                    case StageEvents.OutcomesRecorded recorded:
                        foreach (var r in recorded.Records) events.Add(Entry(TypeOf(r.Status), r, Name(r.Status), recorded.At));
                        break;
                    case StageEvents.StageCompleted completed:
                        events.Add(Entry(EventTypes.StageComplete, null, "completed", completed.At, completed.Done + completed.Failed + completed.Skipped));
                        break;
                    case DistributionEvents.FilesScanned scanned:
                        foreach (var f in scanned.Files)
                        {
                            paths[f.FileId] = f.Path;
                            var record = new FileRecord(f.FileId, f.Name, f.IsValid ? FileStatus.Done : FileStatus.Failed,
                                $$"""{"path":{{System.Text.Json.JsonSerializer.Serialize(f.Path)}},"bytes":{{f.SizeBytes}}}""", f.Error, 1, null, 0);
                            events.Add(Entry(TypeOf(record.Status), record, Name(record.Status), scanned.At));
                        }
                        break;
                    case DistributionEvents.ScanCompleted done:
                        events.Add(Entry(EventTypes.StageComplete, null, "completed", done.At, done.Total));
                        break;
                }
            }
        }
        return (events, paths);
    }

    private static string TypeOf(FileStatus status) => status switch
    {
        FileStatus.Done => EventTypes.FileComplete,
        FileStatus.Failed => EventTypes.FileError,
        _ => EventTypes.FileSkipped,
    };

    private static string Name(FileStatus status) => status.ToString().ToLowerInvariant();

    private async Task<IReadOnlyList<object>> JournalAsync(string persistenceId, CancellationToken cancel) =>
        await _journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
            .Select(e => e.Event)
            .RunWith(Sink.Seq<object>(), _materializer)
            .WaitAsync(cancel);
}
