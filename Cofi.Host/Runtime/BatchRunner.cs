using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Logging;
using Cofi.Actors.Persistence;
using Cofi.Actors.Stages;
using Cofi.Host.Commands;
using Cofi.Host.Terminal;

namespace Cofi.Host.Runtime;

/// <summary>
/// Submits (or resumes) a batch, shows its progress, waits for it and prints the summary. Shared by demo and run.
/// A stop signal ends the wait: the batch is held (no new work, calls in flight finish and are recorded), the
/// runtime shuts down, and the command exits 130 (SIGINT) or 143 (SIGTERM); running it again resumes the batch.
/// </summary>
public static class BatchRunner
{
    public const int Completed = 0;
    public const int NoValidInput = 2;
    public const int NotFound = 5;
    public const int Interrupted = 130;

    /// <param name="serve">keep the dashboard up after the batch ends, until the first stop signal.</param>
    /// <param name="again">start a new batch over an input whose latest batch completed, instead of saying so and exiting.</param>
    public static async Task<int> RunAsync(CofiRuntime runtime, string input, bool serve, StopSignals stop, bool again = true)
    {
        var clock = Stopwatch.StartNew();
        if (runtime.WebAddress is { } address) Console.WriteLine($"dashboard: {address}/");
        var board = new ProgressBoard();
        board.Attach(runtime.System);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stop.Stopping, runtime.Ended);
        BatchReplies.Accepted accepted;
        BatchReplies.Status status;
        try
        {
            var reply = await runtime.BatchManager.Ask<ISubmitReply>(new BatchCommands.Submit(input, ResumeUnfinished: true, Again: again), TimeSpan.FromSeconds(60), ending.Token);
            if (reply is BatchReplies.AlreadyCompleted completed)
            {
                Console.WriteLine(CompletedLine(completed));
                return Completed;
            }
            accepted = (BatchReplies.Accepted)reply;
            board.BatchId = accepted.BatchId;
            status = await runtime.BatchManager.Ask<BatchReplies.Status>(new BatchQueries.GetStatus(accepted.BatchId), TimeSpan.FromMinutes(10), ending.Token);
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            return await StoppedAsync(runtime, board, stop, null);
        }
        board.Seed(status.Stages);
        Console.WriteLine(accepted.Resumed
            ? $"{ResumeLine(accepted.BatchId, status.Stages)} (recovered in {clock.ElapsedMilliseconds:N0} ms)"
            : $"batch {accepted.BatchId}: started on {input}");

        return await FollowAsync(runtime, accepted.BatchId, board, clock, serve, stop);
    }

    /// <summary>retry-failed: queues the batch's failed files again and follows the batch to its end.</summary>
    /// <param name="includeQuarantined">quarantined files go through again too.</param>
    public static async Task<int> RetryFailedAsync(CofiRuntime runtime, long batchId, StopSignals stop, bool includeQuarantined = false)
    {
        var clock = Stopwatch.StartNew();
        var board = new ProgressBoard();
        board.Attach(runtime.System);
        board.BatchId = batchId;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stop.Stopping, runtime.Ended);
        BatchReplies.Status status;
        try
        {
            var reply = await runtime.BatchManager.Ask<object>(new BatchCommands.RetryFailed(batchId, IncludeQuarantined: includeQuarantined), TimeSpan.FromSeconds(60), ending.Token);
            if (reply is BatchReplies.NotFound)
            {
                await Console.Error.WriteLineAsync($"cofi: no batch {batchId} in {runtime.Database.SqliteFile ?? "the database"}");
                return NotFound;
            }
            status = await runtime.BatchManager.Ask<BatchReplies.Status>(new BatchQueries.GetStatus(batchId), TimeSpan.FromMinutes(10), ending.Token);
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            return await StoppedAsync(runtime, board, stop, batchId);
        }
        board.Seed(status.Stages);
        Console.WriteLine($"batch {batchId}: retrying its failed files");
        return await FollowAsync(runtime, batchId, board, clock, serve: false, stop);
    }

    private static async Task<int> FollowAsync(CofiRuntime runtime, long batchId, ProgressBoard board, Stopwatch clock, bool serve, StopSignals stop)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stop.Stopping, runtime.Ended);
        var finished = runtime.BatchManager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(batchId), ending.Token);
        await LiveProgress.ShowAsync(board, runtime.Settings.Pipeline, finished, ending.Token);
        if (ending.IsCancellationRequested && !finished.IsCompletedSuccessfully) return await StoppedAsync(runtime, board, stop, batchId);
        if (stop.Requested)
        {
            // The batch ended as the stop came: nothing to resume, and no summary from a node that is going away.
            await runtime.StopAsync();
            Console.WriteLine($"batch {batchId}: {finished.Result.Status.ToString().ToLowerInvariant()} as the stop came ({stop.SignalName}); `status` shows its counts");
            return stop.ExitCode;
        }
        var result = await finished;
        var elapsed = clock.Elapsed;
        var failures = await FailuresAsync(runtime, result);
        SummaryTable.Write(result, elapsed, PeakMemory.Describe(), failures, await WriterStatsAsync(runtime));
        var code = result.Status == BatchStatus.Completed ? Completed : NoValidInput;
        if (!serve || runtime.WebAddress is not { } served) return code;
        Console.WriteLine($"serving the dashboard at {served}/ until Ctrl+C or SIGTERM");
        await Task.WhenAny(stop.FirstSignal, runtime.System.WhenTerminated);
        await runtime.StopAsync();
        return stop.Requested ? stop.ExitCode : code;
    }

    /// <summary>
    /// A stop signal (or the node ending) came before the batch finished: says what the stop does, waits for the
    /// runtime's shutdown (which holds the batch and records what comes back in time), and how to resume.
    /// </summary>
    private static async Task<int> StoppedAsync(CofiRuntime runtime, ProgressBoard board, StopSignals stop, long? batchId)
    {
        // In a cluster the batches run on the coordinator that holds the singleton, which may be another process.
        var member = ((ExtendedActorSystem)runtime.System).Provider is IClusterActorRefProvider;
        var grace = StopSignals.Describe(stop.Grace);
        if (stop.Requested)
        {
            Console.WriteLine((member
                ? $"stopping ({stop.SignalName}): leaving the cluster; the calls in flight of a batch run here finish within {grace}"
                : $"stopping ({stop.SignalName}): no new work; {await InFlightAtHoldAsync(board):N0} calls in flight finish within {grace}") +
                $" — {stop.AgainHint} to stop at once");
        }
        await runtime.StopAsync();
        if (board.Held is { } held)
        {
            Console.WriteLine(held.GraceRanOut
                ? $"stopped: the grace of {StopSignals.Describe(held.Grace)} ran out with {held.StillInFlight:N0} calls in flight; they are sent again on resume"
                : "stopped: every call in flight came back and is recorded");
        }
        var batch = batchId is { } id ? $"batch {id}" : "the batch";
        if (!stop.Requested)
        {
            await Console.Error.WriteLineAsync($"cofi: this node stopped before {batch} finished; run the same command again to resume it");
            return CommandHost.UnexpectedError;
        }
        Console.WriteLine(member
            ? $"interrupted: {batch} goes on with the coordinators that remain; run the same command again to follow or resume it"
            : $"interrupted: run the same command again to resume {batch}");
        return stop.ExitCode;
    }

    /// <summary>What the hold, which the signal began, waits for; what the stages last said if it does not tell at once.</summary>
    private static async Task<int> InFlightAtHoldAsync(ProgressBoard board)
    {
        try
        {
            return await board.InFlightAtHold.WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException)
        {
            return board.InFlight;
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
    public static string CompletedLine(BatchReplies.AlreadyCompleted completed)
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

    /// <summary>The EventWriter's figures once it has written the batch's last rows (as they stand, if the database is slow to take them; none if it does not answer).</summary>
    private static async Task<EventWriterStats?> WriterStatsAsync(CofiRuntime runtime)
    {
        if (runtime.EventWriter.IsNobody()) return null;
        try
        {
            return await runtime.EventWriter.Ask<EventWriterStats>(EventWriterCommands.Drain.Instance, TimeSpan.FromSeconds(30));
        }
        catch (AskTimeoutException)
        {
            try
            {
                return await runtime.EventWriter.Ask<EventWriterStats>(EventWriterCommands.GetStats.Instance, TimeSpan.FromSeconds(5));
            }
            catch (AskTimeoutException)
            {
                // The batch is recorded in the journal; only the summary's read-model figures are missing.
                return null;
            }
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
