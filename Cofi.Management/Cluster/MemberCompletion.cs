namespace Cofi.Management;

/// <summary>Completes member addresses: the members this node sees.</summary>
public sealed class MemberCompletion(StartedActorSystem started) : ICompletionSource
{
    public string Kind => "member";

    public Task<IReadOnlyList<string>> ValuesAsync(CancellationToken cancel) =>
        Task.FromResult<IReadOnlyList<string>>(started.Get() is { } system ? ClusterOpsApi.View(system).Members.Select(m => m.Address).ToList() : []);
}
