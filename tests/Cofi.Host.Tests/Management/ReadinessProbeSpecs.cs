using Cofi.Management;

namespace Cofi.Host.Tests.Management;

public sealed class ReadinessProbeSpecs
{
    private sealed class Check(string name, Func<CancellationToken, Task<string?>> problem) : IReadinessCheck
    {
        public string Name => name;

        public Task<string?> ProblemAsync(CancellationToken cancellationToken) => problem(cancellationToken);
    }

    [Fact]
    public async Task Should_report_each_check_with_its_problem_or_none()
    {
        var outcomes = await ReadinessProbe.RunAsync(
            [new Check("database", _ => Task.FromResult<string?>(null)), new Check("journal", _ => Task.FromResult<string?>("recovering"))],
            CancellationToken.None);

        outcomes.ShouldBe([new ReadinessProbe.Outcome("database", null), new ReadinessProbe.Outcome("journal", "recovering")]);
    }

    [Fact]
    public async Task Should_fail_a_check_that_does_not_answer_in_time_even_one_that_ignores_its_token()
    {
        var never = new TaskCompletionSource<string?>();

        var outcomes = await ReadinessProbe.RunAsync([new Check("stuck", _ => never.Task)], CancellationToken.None, TimeSpan.FromMilliseconds(200));

        outcomes.ShouldHaveSingleItem().ShouldBe(new ReadinessProbe.Outcome("stuck", "no answer within 0.2 s"));
    }

    [Fact]
    public async Task Should_fail_a_check_that_throws_with_its_message()
    {
        var outcomes = await ReadinessProbe.RunAsync(
            [new Check("broken", _ => throw new InvalidOperationException("no connection"))], CancellationToken.None);

        outcomes.ShouldHaveSingleItem().Problem.ShouldBe("the check failed: no connection");
    }
}
