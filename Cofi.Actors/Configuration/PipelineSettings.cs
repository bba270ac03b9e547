using System.Collections.Immutable;

namespace Cofi.Actors.Configuration;

public sealed record PipelineSettings(PipelineMode Mode, IReadOnlyList<StageSettings> Stages)
{
    public StageSettings this[string stage] => Stages.First(s => s.Name == stage);

    public int IndexOf(string stage) => Stages.ToList().FindIndex(s => s.Name == stage);

    public IEnumerable<StageSettings> GpuStages => Stages.Where(s => s.RunsOnGpuMachines);

    internal static PipelineSettings Read(ConfigReader pipeline, ConfigReader defaults)
    {
        var mode = pipeline.Enum<PipelineMode>("mode");
        var names = pipeline.StringList("stages");
        if (names.Count < 2) throw new InvalidConfigurationException(pipeline.Key("stages"), "needs at least a distribution and a metadata stage");
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidConfigurationException(pipeline.Key("stages"), $"stage '{duplicate.Key}' is listed twice");

        var stages = new List<StageSettings>();
        foreach (var name in names)
        {
            if (!pipeline.Has($"stage.{name}"))
                throw new InvalidConfigurationException(pipeline.Key($"stage.{name}"), "listed in stages but not configured");
            stages.Add(ReadStage(name, pipeline.Section("stage").Section(name), defaults, stages));
        }

        if (stages[0].Kind != StageKind.Distribution)
            throw new InvalidConfigurationException(pipeline.Key($"stage.{stages[0].Name}.kind"), "the first stage must be of kind distribution");
        if (stages[^1].Kind != StageKind.Metadata)
            throw new InvalidConfigurationException(pipeline.Key($"stage.{stages[^1].Name}.kind"), "the last stage must be of kind metadata");
        foreach (var middle in stages.Skip(1).SkipLast(1).Where(s => s.Kind is StageKind.Distribution or StageKind.Metadata))
            throw new InvalidConfigurationException(pipeline.Key($"stage.{middle.Name}.kind"), $"{middle.Kind.ToString().ToLowerInvariant()} can only be the {(middle.Kind == StageKind.Distribution ? "first" : "last")} stage");
        return new PipelineSettings(mode, stages.ToImmutableArray());
    }

    private static StageSettings ReadStage(string name, ConfigReader stage, ConfigReader defaults, IReadOnlyList<StageSettings> earlier)
    {
        T Pick<T>(string key, Func<ConfigReader, string, T> read) => stage.Has(key) ? read(stage, key) : read(defaults, key);

        var kind = stage.Enum<StageKind>("kind");
        var simulated = new SimulatedStageSettings(
            Pick("simulated.latency", (r, k) => r.Duration(k, TimeSpan.Zero)),
            Pick("simulated.spread", (r, k) => r.Duration(k, TimeSpan.Zero)),
            Pick("simulated.transient-rate", (r, k) => r.Fraction(k)),
            Pick("simulated.permanent-rate", (r, k) => r.Fraction(k)));
        var backoffBase = Pick("backoff-base", (r, k) => r.Duration(k, TimeSpan.FromMilliseconds(1)));
        var backoffMax = Pick("backoff-max", (r, k) => r.Duration(k, backoffBase));
        var rules = kind == StageKind.Rules ? ReadRules(stage, earlier) : [];
        return new StageSettings(
            name,
            kind,
            Pick("slots", (r, k) => r.Int(k, 1, 1024)),
            Pick("concurrency", (r, k) => r.Int(k, 1, 4096)),
            Pick("timeout", (r, k) => r.Duration(k, TimeSpan.FromMilliseconds(1))),
            Pick("max-attempts", (r, k) => r.Int(k, 1, 100)),
            backoffBase,
            backoffMax,
            simulated,
            rules);
    }

    private static IReadOnlyList<TriageRule> ReadRules(ConfigReader stage, IReadOnlyList<StageSettings> earlier)
    {
        var rules = new List<TriageRule>();
        foreach (var ruleName in stage.ObjectKeys("rules"))
        {
            var rule = stage.Section("rules").Section(ruleName);
            var source = rule.String("stage");
            if (earlier.All(s => s.Name != source))
                throw new InvalidConfigurationException(rule.Key("stage"),
                    $"unknown stage '{source}'; a rule reads only stages before it: {string.Join(", ", earlier.Select(s => s.Name))}");
            var equalTo = rule.OptionalString("equals");
            var inList = rule.StringList("in");
            var notIn = rule.StringList("not-in");
            if (equalTo is null && inList.Count == 0 && notIn.Count == 0)
                throw new InvalidConfigurationException(rule.Path, "needs one of equals, in or not-in");
            rules.Add(new TriageRule(ruleName, source, rule.String("field"), equalTo, inList, notIn, rule.String("reason")));
        }
        return rules;
    }
}
