using System.Collections.Immutable;
using Cofi.Actors.Executors.Llm;

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
        var executor = kind is StageKind.Gpu or StageKind.Llm ? Pick("executor", (r, k) => r.Enum<ExecutorKind>(k)) : ExecutorKind.Simulated;
        var http = kind == StageKind.Gpu && executor == ExecutorKind.Http ? ReadHttp(stage, defaults, earlier) : null;
        var llm = kind == StageKind.Llm && executor == ExecutorKind.Http ? ReadLlm(stage, defaults, earlier) : null;
        var perSecond = Pick("timeout-per-audio-second", (r, k) => r.Duration(k, TimeSpan.Zero));
        var perAudio = perSecond > TimeSpan.Zero ? new AudioTimeout(Pick("timeout-base", (r, k) => r.Duration(k, TimeSpan.Zero)), perSecond) : null;
        var order = Pick("dispatch-order", (r, k) => r.String(k)) switch
        {
            "input" => DispatchOrder.Input,
            "longest-first" => DispatchOrder.LongestFirst,
            var other => throw new InvalidConfigurationException(stage.Has("dispatch-order") ? stage.Key("dispatch-order") : defaults.Key("dispatch-order"),
                $"unknown value '{other}'; expected input or longest-first"),
        };
        var speculateAfter = Pick("speculate-after", (r, k) => r.String(k)) switch
        {
            "off" => TimeSpan.Zero,
            "auto" => (TimeSpan?)null,
            _ => Pick("speculate-after", (r, k) => r.Duration(k, TimeSpan.FromMilliseconds(1))),
        };
        var speculation = kind == StageKind.Gpu && speculateAfter != TimeSpan.Zero
            ? new SpeculationSettings(speculateAfter, Pick("speculate-max", (r, k) => r.Fraction(k)))
            : null;
        return new StageSettings(
            name,
            kind,
            Pick("slots", (r, k) => r.Int(k, 1, 1024)),
            Pick("concurrency", (r, k) => r.Int(k, 1, 4096)),
            Pick("timeout", (r, k) => r.Duration(k, TimeSpan.FromMilliseconds(10))),
            Pick("max-attempts", (r, k) => r.Int(k, 1, 100)),
            backoffBase,
            backoffMax,
            simulated,
            rules,
            executor,
            http,
            llm,
            perAudio,
            order,
            Pick("quarantine-after", (r, k) => r.Int(k, 0, 100)),
            speculation);
    }

    private static HttpStageSettings ReadHttp(ConfigReader stage, ConfigReader defaults, IReadOnlyList<StageSettings> earlier)
    {
        T Pick<T>(string key, Func<ConfigReader, string, T> read) => stage.Has($"http.{key}") ? read(stage.Section("http"), key) : read(defaults.Section("http"), key);

        var scheme = Pick("scheme", (r, k) => r.String(k));
        if (scheme is not ("http" or "https"))
            throw new InvalidConfigurationException(stage.Key("http.scheme"), $"unknown scheme '{scheme}'; expected http or https");
        string Route(string key)
        {
            var value = Pick(key, (r, k) => r.OptionalString(k));
            if (value is not null && !value.StartsWith('/'))
                throw new InvalidConfigurationException(stage.Key($"http.{key}"), $"must start with '/' (got '{value}')");
            return value ?? "";
        }
        var path = Route("path");
        if (path.Length == 0) throw new InvalidConfigurationException(stage.Key("http.path"), "missing value");
        var include = Pick("include-results", (r, k) => r.StringList(k));
        foreach (var name in include.Where(n => earlier.All(s => s.Name != n)))
            throw new InvalidConfigurationException(stage.Key("http.include-results"),
                $"unknown stage '{name}'; a stage reads only stages before it: {string.Join(", ", earlier.Select(s => s.Name))}");
        var prepare = Route("prepare-path");
        var release = Route("release-path");
        return new HttpStageSettings(scheme, Pick("port", (r, k) => r.Int(k, 1, 65535)), path, include,
            prepare.Length == 0 ? null : prepare, release.Length == 0 ? null : release);
    }

    private static LlmStageSettings ReadLlm(ConfigReader stage, ConfigReader defaults, IReadOnlyList<StageSettings> earlier)
    {
        T Pick<T>(string key, Func<ConfigReader, string, T> read) => stage.Has($"llm.{key}") ? read(stage.Section("llm"), key) : read(defaults.Section("llm"), key);

        var endpoints = new List<Uri>();
        foreach (var raw in Pick("endpoints", (r, k) => r.StringList(k)))
        {
            if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidConfigurationException(stage.Key("llm.endpoints"), $"not an http(s) URL: '{raw}'");
            endpoints.Add(uri);
        }
        if (endpoints.Count == 0) throw new InvalidConfigurationException(stage.Key("llm.endpoints"), "needs at least one chat-completions URL");
        var prompt = Pick("prompt", (r, k) => r.String(k));
        foreach (var name in PromptTemplate.StagesNamedIn(prompt).Where(n => earlier.All(s => s.Name != n)))
            throw new InvalidConfigurationException(stage.Key("llm.prompt"),
                $"refers to unknown stage '{name}'; a prompt reads only stages before it: {string.Join(", ", earlier.Select(s => s.Name))}");
        var temperature = Pick("temperature", (r, k) => r.Fraction(k));
        return new LlmStageSettings(
            endpoints,
            Pick("model", (r, k) => r.String(k)),
            Pick("api-key-env", (r, k) => r.OptionalString(k)),
            Pick("system-prompt", (r, k) => r.OptionalString(k)) ?? "",
            prompt,
            Pick("max-tokens", (r, k) => r.Int(k, 1, 1_000_000)),
            temperature,
            Pick("max-concurrency", (r, k) => r.Int(k, 1, 4096)),
            Pick("requests-per-minute", (r, k) => r.Int(k, 0)),
            Pick("tokens-per-minute", (r, k) => r.Int(k, 0)));
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
