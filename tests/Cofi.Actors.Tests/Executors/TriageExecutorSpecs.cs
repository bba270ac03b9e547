using System.Collections.Immutable;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;

namespace Cofi.Actors.Tests.Executors;

public sealed class TriageExecutorSpecs
{
    private static readonly TriageExecutor Triage = new(CofiSettings.FromConfig(CofiConfig.Defaults).Pipeline["triage"]);

    private static Task<CallOutcome> Run(string ivr, string lid)
    {
        var results = ImmutableDictionary<string, string>.Empty.Add("ivr", ivr).Add("lid", lid);
        return Triage.ExecuteAsync(new StageCall(1, "triage", new FileWork(1, "a.wav", "/a.wav", results), 1, "coordinator"), CancellationToken.None);
    }

    [Fact]
    public async Task Should_let_a_conversation_in_a_supported_language_continue()
    {
        (await Run("""{"isIvr":false}""", """{"language":"es"}""")).ShouldBeOfType<CallOutcome.Completed>();
    }

    [Fact]
    public async Task Should_skip_an_ivr_recording_with_the_rule_reason()
    {
        (await Run("""{"isIvr":true}""", """{"language":"en"}"""))
            .ShouldBe(new CallOutcome.Skipped("IVR menu recording, no conversation (rule ivr-menu)"));
    }

    [Fact]
    public async Task Should_skip_a_language_not_in_the_list()
    {
        (await Run("""{"isIvr":false}""", """{"language":"de"}""")).ShouldBeOfType<CallOutcome.Skipped>().Reason.ShouldContain("unsupported-language");
    }

    [Fact]
    public async Task Should_not_match_a_rule_whose_field_is_missing_or_not_json()
    {
        (await Run("not json", """{"confidence":0.5}""")).ShouldBeOfType<CallOutcome.Completed>();
    }
}
