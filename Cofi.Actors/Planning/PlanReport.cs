using System.Globalization;
using System.Text;

namespace Cofi.Actors.Planning;

/// <summary>A prediction as text: the makespan, each stage's calls and utilization, the bottleneck, GPU-hours and cost.</summary>
public static class PlanReport
{
    public static string Write(PlanInput input, PlanResult plan, string basis)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"plan: {input.Files:N0} files on {input.Machines} GPU machine(s), {input.Mode.ToString().ToLowerInvariant()}; call times from {basis}");
        text.AppendLine(c, $"  {"stage",-14}{"calls",10}{"busy",14}{"utilization",14}");
        foreach (var stage in plan.Stages)
            text.AppendLine(c, $"  {stage.Stage,-14}{stage.Calls,10:N0}{Duration(stage.Busy),14}{stage.Utilization,14:P0}{(stage.Stage == plan.Bottleneck ? "  <- bottleneck" : "")}");
        text.AppendLine(c, $"predicted makespan {Duration(plan.Makespan)}; {plan.GpuHours:0.###} GPU-hours; cost {plan.Cost:0.00} at {input.PricePerGpuHour:0.00} a GPU-hour");
        return text.ToString();
    }

    private static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s" : $"{span.TotalSeconds:0.0} s";
}
