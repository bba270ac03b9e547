namespace Cofi.Cli.Commands;

/// <summary>Ctrl+C (and SIGTERM) as a cancellation of the command running now; a new one can start after it.</summary>
public sealed class Interrupt : IDisposable
{
    private CancellationTokenSource _current = new();

    public Interrupt() => Console.CancelKeyPress += OnCancel;

    public CancellationToken Token => _current.Token;

    /// <summary>A fresh token for the next command, once the last one was cancelled.</summary>
    public CancellationToken Renew()
    {
        if (_current.IsCancellationRequested)
        {
            _current.Dispose();
            _current = new CancellationTokenSource();
        }
        return _current.Token;
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _current.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _current.Dispose();
    }
}
