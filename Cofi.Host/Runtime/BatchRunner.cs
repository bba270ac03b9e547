using System.Diagnostics;
using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Persistence;
using Cofi.Actors.Stages;
using Cofi.Host.Terminal;

namespace Cofi.Host.Runtime;

/// <summary>Submits (or resumes) a batch, shows its progress, waits for it and prints the summary. Shared by demo and run.</summary>
public static class BatchRunner
{
    public const int Completed = 0;
    public const int NoValidInput = 2;
    public const int NotFound = 5;
    public const int Interrupted = 130;

    public static async Task<int> RunAsync(CofiRuntime runtime, string input, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var board = new ProgressBoard();
        board.Attach(runtime.System);
        var accepted = await runtime.BatchManager.Ask<BatchAccepted>(new BatchCommands.Submit(input, ResumeUnfinished: true), TimeSpan.FromSeconds(60));
        board.BatchId = accepted.BatchId;
        var status = await runtime.BatchManager.Ask<BatchStatusReply>(new BatchQueries.GetStatus(accepted.BatchId), TimeSpan.FromMinutes(10));
        board.Seed(status.Stages);
        Console.WriteLine(accepted.Resumed
            ? $"{ResumeLine(accepted.BatchId, status.Stages)} (recovered in {clock.ElapsedMilliseconds:N0} ms)"
            : $"batch {accepted.BatchId}: started on {input}");

        return await FollowAsync(runtime, accepted.BatchId, board, clock, cancel);
    }

    /// <summary>retry-failed: queues the batch's failed files again and follows the batch to its end.</summary>
    public static async Task<int> RetryFailedAsync(CofiRuntime runtime, long batchId, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var reply = await runtime.BatchManager.Ask<object>(new BatchCommands.RetryFailed(batchId), TimeSpan.FromSeconds(60));
        if (reply is BatchNotFound)
        {
            await Console.Error.WriteLineAsync($"cofi: no batch {batchId} in {runtime.Database.SqliteFile ?? "the database"}");
            return NotFound;
        }
        var board = new ProgressBoard();
        board.Attach(runtime.System);
        board.BatchId = batchId;
        var status = await runtime.BatchManager.Ask<BatchStatusReply>(new BatchQueries.GetStatus(batchId), TimeSpan.FromMinutes(10));
        board.Seed(status.Stages);
        Console.WriteLine($"batch {batchId}: retrying its failed files");
        return await FollowAsync(runtime, batchId, board, clock, cancel);
    }

    private static async Task<int> FollowAsync(CofiRuntime runtime, long batchId, ProgressBoard board, Stopwatch clock, CancellationToken cancel)
    {
        var finished = runtime.BatchManager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), cancel);
        try
        {
            await LiveProgress.ShowAsync(board, runtime.Settings.Pipeline, finished, cancel);
            var result = await finished;
            var failures = await FailuresAsync(runtime, result);
            SummaryTable.Write(result, clock.Elapsed, PeakMemory.Describe(), failures);
            return result.Status == BatchStatus.Completed ? Completed : NoValidInput;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.WriteLine($"interrupted: run the same command again to resume batch {batchId}");
            return Interrupted;
        }
    }

    /// <summary>"resuming batch 7: 5,000 of 10,000 files done at llm1": the first stage that has not finished.</summary>
    public static string ResumeLine(long batchId, IReadOnlyList<StageCounts> stages)
    {
        var total = stages.Count > 0 ? stages[0].Total ?? stages[0].Settled : 0;
        var current = stages.FirstOrDefault(s => !s.Completed) ?? stages[^1];
        return $"resuming batch {batchId}: {current.Settled:N0} of {total:N0} files done at {current.Stage}";
    }

    private static async Task<IReadOnlyList<FileRecord>> FailuresAsync(CofiRuntime runtime, BatchFinished finished)
    {
        var reader = new JournalReader(runtime.System);
        var failures = new List<FileRecord>();
        foreach (var stage in finished.Stages.Where(s => s.Failed > 0))
        {
            var records = await reader.StageRecordsAsync(finished.BatchId, stage.Stage);
            failures.AddRange(records.Values.Where(r => r.Status == FileStatus.Failed)
                .Select(r => r with { Reason = $"{stage.Stage}: {r.Reason}" }));
        }
        return failures;
    }
}
