using System.Diagnostics;
using Cofi.Actors.Configuration;
using Spectre.Console;

namespace Cofi.Host.Terminal;

/// <summary>
/// A progress bar per stage while a batch runs; plain periodic lines when the output is not a terminal. Ends when
/// the batch does or at once when <c>cancel</c> is (a stop), leaving the bars as they last stood.
/// </summary>
public static class LiveProgress
{
    public static Task ShowAsync(ProgressBoard board, PipelineSettings pipeline, Task finished, CancellationToken cancel) =>
        AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected
            ? BarsAsync(board, pipeline, finished, cancel)
            : LinesAsync(board, pipeline, finished, cancel);

    private static async Task BarsAsync(ProgressBoard board, PipelineSettings pipeline, Task finished, CancellationToken cancel)
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var tasks = pipeline.Stages.ToDictionary(s => s.Name, s => ctx.AddTask(s.Name, maxValue: 1));
                while (true)
                {
                    foreach (var (name, task) in tasks)
                    {
                        if (board[name] is not { } c) continue;
                        var total = board[pipeline.Stages[0].Name]?.Total ?? Math.Max(c.Settled + c.InFlight + c.Queued, 1);
                        task.MaxValue = Math.Max(total, 1);
                        task.Value = c.Settled;
                        task.Description = $"{name,-12} [green]{c.Done,6:N0} done[/]  [red]{c.Failed,5:N0} failed[/]  [yellow]{c.Skipped,5:N0} skipped[/]  [grey]{c.InFlight,3} in flight[/]";
                    }
                    if (finished.IsCompleted || cancel.IsCancellationRequested) break;
                    await Task.WhenAny(finished, Task.Delay(200, cancel).ContinueWith(_ => { }, TaskScheduler.Default));
                }
            });
    }

    private static async Task LinesAsync(ProgressBoard board, PipelineSettings pipeline, Task finished, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        while (!finished.IsCompleted && !cancel.IsCancellationRequested)
        {
            await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(2), cancel).ContinueWith(_ => { }, TaskScheduler.Default));
            if (finished.IsCompleted || cancel.IsCancellationRequested) break;
            var parts = pipeline.Stages.Select(s => board[s.Name] is { } c ? $"{s.Name} {c.Settled:N0}" : $"{s.Name} -");
            Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {string.Join(" | ", parts)}");
        }
    }
}
