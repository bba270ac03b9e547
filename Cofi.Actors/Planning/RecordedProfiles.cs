using Cofi.Actors.Configuration;
using Cofi.Actors.Files;
using Cofi.Actors.Persistence;

namespace Cofi.Actors.Planning;

/// <summary>A finished batch's recorded attempts, read back from the journal, as the planner's stage profiles.</summary>
public static class RecordedProfiles
{
    /// <summary>The batch's file count and its stages' profiles; null when the journal has no such batch.</summary>
    public static async Task<(int Files, IReadOnlyList<StageProfile> Stages)?> ReadAsync(JournalReader journal, PipelineSettings pipeline, long batchId)
    {
        if ((await journal.BatchesAsync()).All(b => b.Summary.BatchId != batchId)) return null;
        var records = new Dictionary<string, IReadOnlyCollection<FileRecord>>();
        foreach (var stage in pipeline.Stages) records[stage.Name] = (await journal.StageRecordsAsync(batchId, stage.Name)).Values.ToList();
        var files = records[pipeline.Stages[0].Name].Count;
        return (files, StageProfiles.FromRecords(pipeline, files, records));
    }
}
