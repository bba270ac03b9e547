namespace Cofi.Cli.Commands;

/// <summary>Whether a person is at a terminal, and asking them.</summary>
public sealed class Terminal
{
    public bool IsOutputTerminal { get; } = !Console.IsOutputRedirected;

    public bool CanAsk { get; } = !Console.IsInputRedirected && !Console.IsOutputRedirected;

    public bool Ask(string question)
    {
        Console.Write(question);
        var answer = Console.ReadLine()?.Trim().ToLowerInvariant();
        return answer is "y" or "yes";
    }
}
