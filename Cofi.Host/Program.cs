using System.CommandLine;
using Cofi.Host.Commands;

var common = new CommonOptions();
var root = new RootCommand("Cofi: runs batches of recorded calls through GPU model stages, durably.")
{
    DemoCommand.Create(common),
    RunCommand.Create(common),
    RetryFailedCommand.Create(common),
    StatusCommand.Create(common),
    SamplesCommand.Create(),
    ServeCommand.Create(common),
    NodeCommand.Create(common),
    DbCommand.Create(common),
    BenchWebCommand.Create(),
    BenchWriterCommand.Create(common),
    TokenCommand.Create(),
    PlanCommand.Create(common),
    BenchApiCommand.Create(),
    BenchFleetCommand.Create(),
};
// Stop signals are the commands' own (StopSignals): System.CommandLine must neither catch them nor end the process early.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
