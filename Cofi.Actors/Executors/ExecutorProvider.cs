using Cofi.Actors.Configuration;

namespace Cofi.Actors.Executors;

/// <summary>Chooses the executor for a stage on a machine; the single place where simulated and real services are told apart.</summary>
public interface IExecutorProvider
{
    IStageExecutor For(StageSettings stage, string machine);
}

public sealed class SimulatedExecutorProvider(SimulatedSettings simulated, ICallRecorder recorder, TimeProvider clock) : IExecutorProvider
{
    public IStageExecutor For(StageSettings stage, string machine) => stage.Kind switch
    {
        StageKind.Rules => new TriageExecutor(stage),
        StageKind.Metadata => new MetadataExecutor(),
        _ => new SimulatedExecutor(stage, simulated, machine, recorder, clock),
    };
}
