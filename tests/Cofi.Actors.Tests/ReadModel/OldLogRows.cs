using Cofi.Actors.Configuration;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Tests.ReadModel;

/// <summary>batchExecutionLog rows of three ages, for the retention tests.</summary>
public static class OldLogRows
{
    public static readonly DateTime Now = DateTime.UtcNow;

    /// <summary>30 rows 100 days old, 5 rows 89 days old and 5 rows from today, in batches 1 to 3.</summary>
    public static void Seed(DatabaseSettings db)
    {
        var pipeline = CofiSettings.FromConfig(CofiConfig.Load()).Pipeline;
        ReadModelSchema.Create(db, pipeline);
        var changes = new ReadModelChanges();
        for (var i = 0; i < 30; i++) changes.Log.Add(Row(1, i, Now.AddDays(-100).AddMinutes(i)));
        for (var i = 0; i < 5; i++) changes.Log.Add(Row(2, i, Now.AddDays(-89)));
        for (var i = 0; i < 5; i++) changes.Log.Add(Row(3, i, Now));
        new ReadModelStore(db, pipeline, 500).Write(changes);
    }

    private static LogRow Row(long batchId, int file, DateTime at) =>
        new(batchId, "stt", "file_complete", $"call-{file:D5}.wav", "done", null, null, $"{{\"text\":\"file {file}\"}}", at);
}
