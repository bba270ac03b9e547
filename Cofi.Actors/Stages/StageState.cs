using System.Collections.Immutable;
using Cofi.Actors.Files;
using Cofi.Actors.Serialization;

namespace Cofi.Actors.Stages;

/// <summary>
/// What a stage has recorded: what it keeps of each settled file (<see cref="SettledFile"/>, not the whole record), and
/// whether the stage completed. Rebuilt from the journal. A stage that hands nothing on (the last one) keeps no results:
/// <see cref="KeepsResults"/> is false, and they are left in the journal.
/// </summary>
public sealed record StageState(ImmutableDictionary<int, SettledFile> Records, int Done, int Failed, int Skipped, bool Completed,
    bool KeepsResults = true)
{
    public static readonly StageState Empty = new(ImmutableDictionary<int, SettledFile>.Empty, 0, 0, 0, false);

    /// <summary>The state of a stage before anything is recorded; <paramref name="handsOn"/>: a later stage takes its files.</summary>
    public static StageState For(bool handsOn) => Empty with { KeepsResults = handsOn };

    public int Settled => Done + Failed + Skipped;

    public bool IsSettled(int fileId) => Records.ContainsKey(fileId);

    public StageState Apply(IStageEvent @event) => @event switch
    {
        StageEvents.OutcomesRecorded e => Apply(e),
        StageEvents.StageCompleted => this with { Completed = true },
        StageEvents.FilesRequeued e => Apply(e),
        _ => this,
    };

    private StageState Apply(StageEvents.OutcomesRecorded e)
    {
        var records = Records.ToBuilder();
        int done = Done, failed = Failed, skipped = Skipped;
        foreach (var record in e.Records)
        {
            // A file is recorded once; a second record for it (never written by StageActor) would not count twice.
            if (!records.TryAdd(record.FileId, Kept(SettledFile.Of(record)))) continue;
            switch (record.Status)
            {
                case FileStatus.Done: done++; break;
                case FileStatus.Failed: failed++; break;
                default: skipped++; break;
            }
        }
        return this with { Records = records.ToImmutable(), Done = done, Failed = failed, Skipped = skipped };
    }

    private SettledFile Kept(SettledFile file) => KeepsResults || file.Result is null ? file : file with { Result = null };

    private StageState Apply(StageEvents.FilesRequeued e)
    {
        var records = Records.ToBuilder();
        int done = Done, failed = Failed, skipped = Skipped;
        foreach (var fileId in e.FileIds)
        {
            if (!records.Remove(fileId, out var record)) continue;
            switch (record.Status)
            {
                case FileStatus.Done: done--; break;
                case FileStatus.Failed: failed--; break;
                default: skipped--; break;
            }
        }
        return this with
        {
            Records = records.ToImmutable(), Done = done, Failed = failed, Skipped = skipped,
            Completed = Completed && done + failed + skipped == Settled,
        };
    }

    /// <summary>The files failed here, quarantined ones only when <paramref name="includeQuarantined"/>.</summary>
    public IReadOnlyList<int> FailedFileIds(bool includeQuarantined = false) =>
        Records.Values.Where(r => r.Status == FileStatus.Failed && (includeQuarantined || !r.Quarantined)).Select(r => r.FileId).Order().ToList();

    public StageSnapshot ToSnapshot() => new(Records.Values.OrderBy(r => r.FileId).ToArray(), Completed);

    public static StageState FromSnapshot(StageSnapshot snapshot, bool handsOn = true)
    {
        var state = For(handsOn);
        int done = 0, failed = 0, skipped = 0;
        var records = ImmutableDictionary.CreateBuilder<int, SettledFile>();
        foreach (var file in snapshot.Records)
        {
            if (!records.TryAdd(file.FileId, state.Kept(file))) continue;
            switch (file.Status)
            {
                case FileStatus.Done: done++; break;
                case FileStatus.Failed: failed++; break;
                default: skipped++; break;
            }
        }
        return state with { Records = records.ToImmutable(), Done = done, Failed = failed, Skipped = skipped, Completed = snapshot.Completed };
    }
}

/// <summary>
/// A stage's state as saved: what it keeps of each settled file. Snapshots written when they held whole records read
/// into the same shape (the fields a <see cref="SettledFile"/> does not have are left out).
/// </summary>
public sealed record StageSnapshot(IReadOnlyList<SettledFile> Records, bool Completed) : ICofiMessage;
