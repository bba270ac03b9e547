using Cofi.Actors.Configuration;

namespace Cofi.Actors.Planning;

/// <summary>
/// One stage as the planner sees it: its settings (slots, concurrency, dispatch order), the share of the batch's
/// files it calls (the others pass through: failed or skipped upstream), and call times to draw from.
/// </summary>
public sealed record StageProfile(StageSettings Stage, double CalledShare, IReadOnlyList<double> CallMilliseconds)
{
    /// <summary>Calls at once: per machine for a GPU stage, in all for one on the coordinator.</summary>
    public int Capacity(int machines) => Stage.RunsOnGpuMachines ? Stage.Slots * machines : Stage.Concurrency;
}

/// <summary>What to plan: so many files through these stages on so many GPU machines, at a price per GPU-hour.</summary>
public sealed record PlanInput(int Files, int Machines, PipelineMode Mode, IReadOnlyList<StageProfile> Stages, decimal PricePerGpuHour);

/// <summary>One stage's share of the predicted run.</summary>
/// <param name="Utilization">busy slot-time over the slot-time the run offered (0 to 1).</param>
public sealed record StagePrediction(string Stage, int Calls, double Utilization, TimeSpan Busy);

/// <summary>The planner's prediction: how long the batch takes, how busy each stage is, which one bounds it, and what it costs.</summary>
public sealed record PlanResult(TimeSpan Makespan, IReadOnlyList<StagePrediction> Stages, string Bottleneck, double GpuHours, decimal Cost);
