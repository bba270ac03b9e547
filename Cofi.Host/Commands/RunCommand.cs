using Cofi.Actors.Configuration;
using Cofi.Actors.Hosting;
using System.CommandLine;
using Cofi.Actors.Inputs;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

public static class RunCommand
{
    public static Command Create(CommonOptions common)
    {
        var input = new Option<string>("--input") { Description = "input folder of audio files, or a manifest file listing them", Required = true };
        var again = new Option<bool>("--again") { Description = "process an input whose last batch completed again, as a new batch" };
        var command = new Command("run", "Run a batch over an input folder or manifest; run it again after a crash to resume it.") { input, again };
        common.AddTo(command, simulation: true);
        common.AddWebTo(command);
        command.SetAction((result, _) => CommandHost.RunAsync(async () =>
        {
            var path = Path.GetFullPath(result.GetValue(input)!);
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new InputUnavailableException(path, $"input not found: {path}");
            var options = common.Read(result);
            var (config, settings) = options.LoadConfiguration();
            using var stop = StopSignals.Listen(ShutdownSettings.FromConfig(config), StopExit.Interrupted);
            // The API may submit batches from the folder this run reads (or the manifest's folder), besides cofi.web.input-roots.
            var root = Directory.Exists(path) ? path : Path.GetDirectoryName(path)!;
            await using var runtime = await CofiRuntime.StartAsync(
                options.Cluster is { } cluster ? NodePlan.Member(cluster, web: true) : NodePlan.Embedded(web: true),
                config, settings, options.Database, common.ReadWeb(result, config, root));
            stop.Stops(runtime);
            return await BatchRunner.RunAsync(runtime, path, result.GetValue(common.Serve), stop, again: result.GetValue(again));
        }));
        return command;
    }
}
