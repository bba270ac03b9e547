using System.Collections.Immutable;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Planning;

/// <summary>
/// Predicts a batch by running the stages' own dispatcher (<see cref="StageDispatcher{TWorker}"/>) in simulated time:
/// files flow from stage to stage as each call ends (or once a stage is finished, in barrier mode), every call
/// taking a time drawn from its stage's profile. Deterministic: the same input gives the same prediction.
/// </summary>
public static class CapacityPlanner
{
    private const string Local = "coordinator";

    public static PlanResult Predict(PlanInput input)
    {
        var stages = input.Stages;
        var dispatchers = stages.Select(p => Dispatcher(p, input.Machines)).ToArray();
        var busyMs = new double[stages.Count];
        var calls = new int[stages.Count];
        var settled = new int[stages.Count];
        var admitted = new int[stages.Count];
        var waiting = Enumerable.Range(0, stages.Count).Select(_ => new List<FileWork>()).ToArray();
        var events = new PriorityQueue<Finish, (double, long)>();
        long sequence = 0;
        var now = 0.0;

        void Admit(int stage, FileWork file)
        {
            if (stage == stages.Count) return;
            admitted[stage]++;
            if (input.Mode == PipelineMode.Barrier && stage > 0 && settled[stage - 1] < input.Files)
            {
                waiting[stage].Add(file);
                return;
            }
            Offer(stage, file);
        }

        void Offer(int stage, FileWork file)
        {
            if (Unit(file.FileId, stages[stage].Stage.Name, "called") >= stages[stage].CalledShare)
            {
                Settled(stage, file);
                return;
            }
            dispatchers[stage].Enqueue(file);
        }

        void Settled(int stage, FileWork file)
        {
            settled[stage]++;
            Admit(stage + 1, file);
            if (input.Mode == PipelineMode.Barrier && settled[stage] == input.Files && stage + 1 < stages.Count)
            {
                foreach (var held in waiting[stage + 1]) Offer(stage + 1, held);
                waiting[stage + 1].Clear();
            }
        }

        void Dispatch()
        {
            for (var stage = 0; stage < stages.Count; stage++)
            {
                foreach (var call in dispatchers[stage].Assign(Clock(now)))
                {
                    var profile = stages[stage];
                    var ms = profile.CallMilliseconds[(int)(Unit(call.File.FileId, profile.Stage.Name, "time") * profile.CallMilliseconds.Count)];
                    calls[stage]++;
                    busyMs[stage] += ms;
                    events.Enqueue(new Finish(stage, call, ms), (now + ms, sequence++));
                }
            }
        }

        for (var id = 0; id < input.Files; id++) Admit(0, new FileWork(id, $"file-{id}", "", ImmutableDictionary<string, string>.Empty));
        Dispatch();
        while (events.TryDequeue(out var finish, out var at))
        {
            now = at.Item1;
            var report = new StageCommands.Report(finish.Call.File.FileId, finish.Call.Attempt, new CallOutcome.Completed("{}"), finish.Call.Machine, (long)finish.Ms);
            if (dispatchers[finish.Stage].Report(finish.Call.Worker, report, _ => false, Clock(now), 0.5) is ReportVerdict.Record
                && dispatchers[finish.Stage].Settle(finish.Call.File.FileId) is { } file)
                Settled(finish.Stage, file);
            Dispatch();
        }

        var makespan = TimeSpan.FromMilliseconds(now);
        var predictions = stages.Select((p, i) => new StagePrediction(p.Stage.Name, calls[i],
            now <= 0 ? 0 : busyMs[i] / (p.Capacity(input.Machines) * now), TimeSpan.FromMilliseconds(busyMs[i]))).ToList();
        var bottleneck = predictions.OrderByDescending(p => p.Utilization).First().Stage;
        var gpuHours = input.Machines * makespan.TotalHours;
        return new PlanResult(makespan, predictions, bottleneck, gpuHours, Math.Round((decimal)gpuHours * input.PricePerGpuHour, 2));
    }

    private static StageDispatcher<string> Dispatcher(StageProfile profile, int machines)
    {
        var dispatcher = new StageDispatcher<string>(profile.Stage);
        if (profile.Stage.RunsOnGpuMachines)
            for (var m = 0; m < machines; m++) dispatcher.Offer($"gpu-{m + 1}", $"gpu-{m + 1}", profile.Stage.Slots);
        else dispatcher.Offer(Local, Local, profile.Stage.Concurrency);
        return dispatcher;
    }

    private static DateTimeOffset Clock(double ms) => DateTimeOffset.UnixEpoch.AddMilliseconds(ms);

    private static double Unit(int fileId, string stage, string purpose) => StableHash.Unit($"{fileId}", $"{purpose}:{stage}");

    private sealed record Finish(int Stage, StageDispatcher<string>.Assignment Call, double Ms);
}
