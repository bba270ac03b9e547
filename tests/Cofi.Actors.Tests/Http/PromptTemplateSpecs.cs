using System.Collections.Immutable;
using Cofi.Actors.Executors.Llm;
using Cofi.Actors.Files;

namespace Cofi.Actors.Tests.Http;

public sealed class PromptTemplateSpecs
{
    private static readonly FileWork File = new(3, "call-3.wav", "/in/call-3.wav", ImmutableDictionary<string, string>.Empty
        .Add("stt", """{"transcript":"hello there","meta":{"words":2}}""")
        .Add("lid", """{"language":"es"}"""));

    [Fact]
    public void Should_fill_fields_of_earlier_results_and_the_file()
    {
        PromptTemplate.Fill("[{{lid.language}}] {{ stt.transcript }} ({{stt.meta.words}} words) in {{file.name}} at {{file.path}}", File)
            .ShouldBe("[es] hello there (2 words) in call-3.wav at /in/call-3.wav");
    }

    [Fact]
    public void Should_fill_a_whole_result_and_leave_missing_values_empty()
    {
        PromptTemplate.Fill("{{lid}}|{{triage.decision}}|{{stt.nothing}}", File).ShouldBe("""{"language":"es"}||""");
    }

    [Fact]
    public void Should_name_the_stages_a_template_reads()
    {
        PromptTemplate.StagesNamedIn("{{lid.language}} {{stt.transcript}} {{file.name}} {{lid}}").ShouldBe(["lid", "stt"]);
    }
}
