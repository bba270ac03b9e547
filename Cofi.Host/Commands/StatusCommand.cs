using Cofi.Actors.Hosting;
using System.CommandLine;
using Cofi.Actors.Persistence;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

public static class StatusCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("status", "Print the batches in the database with their per-stage counts (read from the journal).");
        common.AddTo(command, simulation: false);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var options = common.Read(result);
            if (options.Database.SqliteFile is { } file && !File.Exists(file))
            {
                Console.WriteLine($"no database at {file}: no batches yet");
                return 0;
            }
            var (config, settings) = options.LoadConfiguration();
            await using var runtime = await CofiRuntime.StartAsync(NodePlan.Reader(), config, settings, options.Database);
            var reader = new JournalReader(runtime.System);
            var batches = await reader.BatchesAsync();
            if (batches.Count == 0)
            {
                Console.WriteLine("no batches yet");
                return 0;
            }
            foreach (var batch in batches)
            {
                var s = batch.Summary;
                Console.WriteLine($"batch {s.BatchId}  {s.Status.ToString().ToLowerInvariant()}{(s.Reason is null ? "" : $" ({s.Reason})")}  submitted {s.SubmittedAt:yyyy-MM-dd HH:mm:ss}  input {s.Input}");
                Console.WriteLine($"  {"stage",-14}{"done",10}{"failed",10}{"skipped",10}");
                foreach (var c in await reader.StageCountsAsync(s.BatchId, settings.Pipeline))
                    Console.WriteLine($"  {c.Stage,-14}{c.Done,10:N0}{c.Failed,10:N0}{c.Skipped,10:N0}");
            }
            return 0;
        }));
        return command;
    }
}
