namespace Cofi.Management;

/// <summary>
/// One condition /ready waits for. Register more in DI (<c>services.AddSingleton&lt;IReadinessCheck, …&gt;()</c>);
/// /ready answers 200 only when every registered check passes.
/// </summary>
public interface IReadinessCheck
{
    /// <summary>Short kebab-case name, shown in /ready's answer.</summary>
    string Name { get; }

    /// <summary>Null when ready, otherwise what stands in the way, in words an operator reads.</summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken);
}
