using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Distribution;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Persistence;

/// <summary>
/// Reads batches and stage records straight from the journal, folding events with the actors' own Apply
/// functions: what the journal says is recorded, with no running actor involved.
/// </summary>
public sealed class JournalReader(ActorSystem system)
{
    private readonly SqlReadJournal _journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    private readonly IMaterializer _materializer = system.Materializer();

    public async Task<IReadOnlyList<BatchEntry>> BatchesAsync()
    {
        var events = await EventsAsync(PersistenceIds.BatchManager);
        return events.OfType<IBatchEvent>().Aggregate(BatchManagerState.Empty, (s, e) => s.Apply(e)).Batches.Values.ToList();
    }

    /// <summary>Every file's settled record at one stage, by file id (after retry-failed, the newest).</summary>
    public async Task<IReadOnlyDictionary<int, FileRecord>> StageRecordsAsync(long batchId, string stage)
    {
        var records = new Dictionary<int, FileRecord>();
        foreach (var e in await EventsAsync(PersistenceIds.Stage(batchId, stage)))
        {
            switch (e)
            {
                // The first record of a file counts, as in StageState; retry-failed drops it so a later one can.
                case StageEvents.OutcomesRecorded recorded:
                    foreach (var record in recorded.Records) records.TryAdd(record.FileId, record);
                    break;
                case StageEvents.FilesRequeued requeued:
                    foreach (var fileId in requeued.FileIds) records.Remove(fileId);
                    break;
                case DistributionEvents.FilesScanned scanned:
                    foreach (var record in Scanned(scanned)) records.TryAdd(record.FileId, record);
                    break;
            }
        }
        return records;
    }

    /// <summary>
    /// Every record the stage's journal holds, in journal order and with any repeat left in: the evidence that
    /// each file was recorded once. Distribution entries appear as done (valid) or failed (rejected).
    /// </summary>
    public async Task<IReadOnlyList<FileRecord>> RecordedAsync(long batchId, string stage)
    {
        var records = new List<FileRecord>();
        foreach (var e in await EventsAsync(PersistenceIds.Stage(batchId, stage)))
        {
            switch (e)
            {
                case StageEvents.OutcomesRecorded recorded:
                    records.AddRange(recorded.Records);
                    break;
                case DistributionEvents.FilesScanned scanned:
                    records.AddRange(Scanned(scanned));
                    break;
            }
        }
        return records;
    }

    private static IEnumerable<FileRecord> Scanned(DistributionEvents.FilesScanned scanned) =>
        scanned.Files.Select(f => new FileRecord(f.FileId, f.Name, f.IsValid ? FileStatus.Done : FileStatus.Failed, null, f.Error, 1, null, 0));

    /// <summary>Done, failed and skipped counts per stage, in pipeline order.</summary>
    public async Task<IReadOnlyList<StageCounts>> StageCountsAsync(long batchId, PipelineSettings pipeline)
    {
        var counts = new List<StageCounts>();
        foreach (var stage in pipeline.Stages)
        {
            var records = await StageRecordsAsync(batchId, stage.Name);
            int Count(FileStatus status) => records.Values.Count(r => r.Status == status);
            counts.Add(new StageCounts(batchId, stage.Name, Count(FileStatus.Done), Count(FileStatus.Failed), Count(FileStatus.Skipped), 0, 0, null, false));
        }
        return counts;
    }

    private async Task<IReadOnlyList<object>> EventsAsync(string persistenceId) =>
        await _journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
            .Select(e => e.Event)
            .RunWith(Sink.Seq<object>(), _materializer);
}
