using System.Diagnostics;
using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Logging;
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

    /// <param name="serve">keep the dashboard up after the batch ends, until <paramref name="cancel"/>.</param>
    /// <param name="again">start a new batch over an input whose latest batch completed, instead of saying so and exiting.</param>
    public static async Task<int> RunAsync(CofiRuntime runtime, string input, bool serve, CancellationToken cancel, bool again = true)
    {
        var clock = Stopwatch.StartNew();
        if (runtime.WebAddress is { } address) Console.WriteLine($"dashboard: {address}/");
        var board = new ProgressBoard();
        board.Attach(runtime.System);
        var reply = await runtime.BatchManager.Ask<ISubmitReply>(new BatchCommands.Submit(input, ResumeUnfinished: true, Again: again), TimeSpan.FromSeconds(60));
        if (reply is BatchAlreadyCompleted completed)
        {
            Console.WriteLine(CompletedLine(completed));
            return Completed;
        }
        var accepted = (BatchAccepted)reply;
        board.BatchId = accepted.BatchId;
        var status = await runtime.BatchManager.Ask<BatchStatusReply>(new BatchQueries.GetStatus(accepted.BatchId), TimeSpan.FromMinutes(10));
        board.Seed(status.Stages);
        Console.WriteLine(accepted.Resumed
            ? $"{ResumeLine(accepted.BatchId, status.Stages)} (recovered in {clock.ElapsedMilliseconds:N0} ms)"
            : $"batch {accepted.BatchId}: started on {input}");

        return await FollowAsync(runtime, accepted.BatchId, board, clock, serve, cancel);
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
        return await FollowAsync(runtime, batchId, board, clock, serve: false, cancel);
    }

    private static async Task<int> FollowAsync(CofiRuntime runtime, long batchId, ProgressBoard board, Stopwatch clock, bool serve, CancellationToken cancel)
    {
        var finished = runtime.BatchManager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), cancel);
        try
        {
            await LiveProgress.ShowAsync(board, runtime.Settings.Pipeline, finished, cancel);
            var result = await finished;
            var elapsed = clock.Elapsed;
            var failures = await FailuresAsync(runtime, result);
            SummaryTable.Write(result, elapsed, PeakMemory.Describe(), failures, await WriterStatsAsync(runtime));
            var code = result.Status == BatchStatus.Completed ? Completed : NoValidInput;
            if (serve && runtime.WebAddress is { } served)
            {
                Console.WriteLine($"serving the dashboard at {served}/ until Ctrl+C");
                await Task.Delay(Timeout.Infinite, cancel).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            return code;
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

    /// <summary>
    /// "batch 7 over /in completed 2026-12-01 12:00:03 UTC: 10,000 files, 9,950 done, 50 failed, 0 skipped; run with
    /// --again to process it again". Done: through every stage before the last; failed: at any stage; skipped: the rest.
    /// </summary>
    public static string CompletedLine(BatchAlreadyCompleted completed)
    {
        var (batch, stages) = (completed.Batch, completed.Stages);
        var files = stages.Count == 0 ? 0 : stages[0].Total ?? stages[0].Settled;
        var done = stages.Count switch { 0 => 0, 1 => stages[0].Done, _ => stages[^2].Done };
        var failed = stages.Sum(s => s.Failed);
        var skipped = Math.Max(0, files - done - failed);
        var at = (batch.FinishedAt ?? batch.SubmittedAt).UtcDateTime;
        return $"batch {batch.BatchId} over {batch.Input} completed {at:yyyy-MM-dd HH:mm:ss} UTC: {files:N0} files, {done:N0} done, {failed:N0} failed, "
            + $"{skipped:N0} skipped; run with --again to process it again";
    }

    /// <summary>The EventWriter's figures once it has written the batch's last rows (as they stand, if the database is slow to take them).</summary>
    private static async Task<EventWriterStats?> WriterStatsAsync(CofiRuntime runtime)
    {
        if (runtime.EventWriter.IsNobody()) return null;
        try
        {
            return await runtime.EventWriter.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromSeconds(30));
        }
        catch (AskTimeoutException)
        {
            return await runtime.EventWriter.Ask<EventWriterStats>(EventWriterCommands.GetStats.Instance, TimeSpan.FromSeconds(5));
        }
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
