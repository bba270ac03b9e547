using Cofi.Actors.Persistence;
using Cofi.Actors.Tests.Support;

namespace Cofi.Host.Tests.Support;

public static class JournalChecks
{
    private static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];

    /// <summary>The names of the files each stage of batch 1 has recorded (done, failed or skipped).</summary>
    public static async Task<Dictionary<string, HashSet<string>>> RecordedFilesAsync(DatabaseSettings database)
    {
        await using var reader = await PipelineHost.StartAsync(database, runBatches: false);
        var recorded = new Dictionary<string, HashSet<string>>();
        foreach (var stage in Stages)
            recorded[stage] = (await reader.Journal().StageRecordsAsync(1, stage)).Values.Select(r => r.Name).ToHashSet();
        return recorded;
    }

    /// <summary>Every stage of batch 1 settled every file, and none twice.</summary>
    public static async Task ShouldHaveRecordedEveryFileOnceAsync(DatabaseSettings database, int files)
    {
        await using var reader = await PipelineHost.StartAsync(database, runBatches: false);
        foreach (var stage in Stages)
        {
            var recorded = await reader.Journal().RecordedAsync(1, stage);
            recorded.Count.ShouldBe(files, $"{stage} settles every file");
            recorded.Select(r => r.FileId).ShouldBeUnique($"{stage} recorded a file twice");
        }
    }
}
