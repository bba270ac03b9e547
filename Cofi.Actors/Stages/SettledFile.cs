using Cofi.Actors.Files;

namespace Cofi.Actors.Stages;

/// <summary>
/// What a stage keeps, in memory and in its snapshots, of a file it settled: what decides what happens to the file
/// next (how it ended, after how many attempts, whether it is quarantined), its reason and the result it hands on.
/// The name, machines, timings and the history of attempts with their bodies stay in the journal and the read model.
/// </summary>
public sealed record SettledFile(int FileId, FileStatus Status, string? Result, string? Reason, int Attempts, bool Quarantined = false)
{
    public static SettledFile Of(FileRecord record) =>
        new(record.FileId, record.Status, record.Result, record.Reason, record.Attempts, record.Quarantined);
}
