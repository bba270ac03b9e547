using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using System.CommandLine;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

public static class RetryFailedCommand
{
    public static Command Create(CommonOptions common)
    {
        var batch = new Option<long>("--batch") { Description = "id of the batch whose failed files are processed again (see status)", Required = true };
        var quarantined = new Option<bool>("--include-quarantined")
        {
            Description = "also the quarantined files (their calls hung or dropped the connection on several machines)",
        };
        var command = new Command("retry-failed",
            "Process a batch's failed files again, from the stage each failed at; files done everywhere are not called again.") { batch, quarantined };
        common.AddTo(command, simulation: true);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var options = common.Read(result);
            if (options.Database.SqliteFile is { } file && !File.Exists(file))
            {
                await Console.Error.WriteLineAsync($"cofi: no database at {file}: no batches yet");
                return BatchRunner.NotFound;
            }
            var (config, settings) = options.LoadConfiguration();
            using var stop = StopSignals.Listen(ShutdownSettings.FromConfig(config), StopExit.Interrupted);
            await using var runtime = await CofiRuntime.StartAsync(NodePlan.Embedded(web: false), config, settings, options.Database);
            stop.Stops(runtime);
            return await BatchRunner.RetryFailedAsync(runtime, result.GetValue(batch), stop, result.GetValue(quarantined));
        }));
        return command;
    }
}
