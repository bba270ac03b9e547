using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Logging;
using Spectre.Console;

namespace Cofi.Host.Terminal;

/// <summary>The end-of-batch report: done, failed and skipped per stage, elapsed time, throughput, memory and the EventWriter's figures.</summary>
public static class SummaryTable
{
    public static void Write(BatchFinished finished, TimeSpan elapsed, string peakMemory, IReadOnlyList<FileRecord> failures,
        EventWriterStats? writer = null)
    {
        var table = new Table().Title($"batch {finished.BatchId}: {finished.Status.ToString().ToLowerInvariant()}")
            .AddColumn("stage").AddColumn(new TableColumn("done").RightAligned())
            .AddColumn(new TableColumn("failed").RightAligned()).AddColumn(new TableColumn("skipped").RightAligned());
        foreach (var s in finished.Stages)
            table.AddRow(Markup.Escape(s.Stage), s.Done.ToString("N0"), s.Failed.ToString("N0"), s.Skipped.ToString("N0"));
        AnsiConsole.Write(table);

        var fileStages = finished.Stages.Sum(s => s.Settled);
        var rate = elapsed.TotalSeconds > 0 ? fileStages / elapsed.TotalSeconds : 0;
        AnsiConsole.MarkupLine($"elapsed: {elapsed.TotalSeconds:0.00} s");
        AnsiConsole.MarkupLine($"file-stages: {fileStages:N0} ({rate:N0} per second)");
        AnsiConsole.MarkupLine($"peak memory: {peakMemory}");
        if (writer is not null) AnsiConsole.MarkupLine($"execution log: {Markup.Escape(writer.ToString())}");
        if (finished.Reason is not null) AnsiConsole.MarkupLine($"[red]{Markup.Escape(finished.Reason)}[/]");
        if (failures.Count == 0) return;
        AnsiConsole.MarkupLine($"failed files ({failures.Count:N0}):");
        foreach (var f in failures.Take(10))
            AnsiConsole.MarkupLine($"  {Markup.Escape(f.Name)}: {Markup.Escape(f.Reason ?? "")}");
        if (failures.Count > 10) AnsiConsole.MarkupLine($"  … and {failures.Count - 10:N0} more (cofi status shows counts per stage)");
    }
}
