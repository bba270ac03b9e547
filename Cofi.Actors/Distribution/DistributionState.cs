using System.Collections.Immutable;
using System.Text.Json;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Distribution;

/// <summary>The batch's registered input entries, in scan order, and whether the scan finished.</summary>
public sealed record DistributionState(ImmutableList<InputFile> Files, int Valid, bool Completed, string? FailedReason)
{
    public static readonly DistributionState Empty = new(ImmutableList<InputFile>.Empty, 0, false, null);

    public int Invalid => Files.Count - Valid;

    public DistributionState Apply(IStageEvent @event) => @event switch
    {
        // Entries already registered before a crash are scanned again on resume; keep only the new ones.
        DistributionEvents.FilesScanned e => AddNew(e.Files),
        DistributionEvents.ScanCompleted => this with { Completed = true },
        DistributionEvents.ScanFailed e => this with { FailedReason = e.Reason },
        _ => this,
    };

    private DistributionState AddNew(IReadOnlyList<InputFile> files)
    {
        var fresh = files.Where(f => f.FileId >= Files.Count).OrderBy(f => f.FileId).ToList();
        return this with { Files = Files.AddRange(fresh), Valid = Valid + fresh.Count(f => f.IsValid) };
    }

    public static FileWork ToWork(string stage, InputFile file)
    {
        var work = new FileWork(file.FileId, file.Name, file.Path, ImmutableDictionary<string, string>.Empty, AudioSeconds: file.AudioSeconds);
        return file.IsValid
            ? work.WithResult(stage, JsonSerializer.Serialize(new
            {
                sizeBytes = file.SizeBytes,
                format = file.Format?.ToString().ToLowerInvariant(),
                durationSeconds = file.AudioSeconds is { } seconds ? Math.Round(seconds, 3) : (double?)null,
            }))
            : work with { Disposition = new Disposition(FileStatus.Failed, stage, file.Error!) };
    }

    public DistributionSnapshot ToSnapshot() => new(Files, Completed, FailedReason);

    public static DistributionState FromSnapshot(DistributionSnapshot s) =>
        new(s.Files.ToImmutableList(), s.Files.Count(f => f.IsValid), s.Completed, s.FailedReason);
}

public sealed record DistributionSnapshot(IReadOnlyList<InputFile> Files, bool Completed, string? FailedReason) : ICofiMessage;
