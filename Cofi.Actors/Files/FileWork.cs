using System.Collections.Immutable;
using Cofi.Actors.Serialization;

namespace Cofi.Actors.Files;

public enum FileStatus
{
    Done,
    Failed,
    Skipped,
}

/// <summary>
/// Why a file no longer takes part in model stages: it failed at an earlier stage or triage skipped it.
/// Later stages record it as skipped with this reason; metadata still writes its final row.
/// </summary>
public sealed record Disposition(FileStatus Status, string Stage, string Reason);

/// <summary>
/// A file on its way through the pipeline: its identity, the results of the stages it has passed,
/// and, once it stopped taking part, why. <see cref="AudioSeconds"/>: the recording's length, when its header tells.
/// </summary>
public sealed record FileWork(
    int FileId,
    string Name,
    string Path,
    ImmutableDictionary<string, string> Results,
    Disposition? Disposition = null,
    double? AudioSeconds = null) : ICofiMessage
{
    public bool IsActive => Disposition is null;

    public FileWork WithResult(string stage, string result) => this with { Results = Results.SetItem(stage, result) };
}
