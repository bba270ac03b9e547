using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Actors.Inputs;

namespace Cofi.Host.Commands;

public static class SamplesCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output") { Description = "folder to write the sample WAV files into", Required = true };
        var files = new Option<int>("--files") { Description = "number of files", DefaultValueFactory = _ => 500 };
        var corrupt = new Option<int>("--corrupt") { Description = "how many of them are deliberately corrupt", DefaultValueFactory = _ => 0 };
        var command = new Command("samples", "Write a sample batch of small WAV files (for trying run, and for benchmarks).") { output, files, corrupt };
        command.SetAction(result => CommandHost.RunAsync(() =>
        {
            var count = result.GetValue(files);
            if (count < 1) throw new InvalidConfigurationException("--files", $"must be at least 1 (got {count})");
            var bad = SampleBatch.Generate(result.GetValue(output)!, count, Math.Clamp(result.GetValue(corrupt), 0, count));
            Console.WriteLine($"wrote {count:N0} files ({bad.Count} corrupt) to {Path.GetFullPath(result.GetValue(output)!)}");
            return Task.FromResult(0);
        }));
        return command;
    }
}
