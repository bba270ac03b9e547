using Cofi.Actors.Configuration;
using Cofi.Actors.Inputs;
using Cofi.Host.Runtime;

namespace Cofi.Host.Commands;

/// <summary>Turns the failures a command can meet at start into a clear message and an exit code.</summary>
public static class CommandHost
{
    public const int UnexpectedError = 1;
    public const int InvalidConfiguration = 3;
    public const int DatabaseBusy = 4;

    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (InvalidConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"cofi: {e.Message}");
            return InvalidConfiguration;
        }
        catch (Management.ManagementConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"cofi: {e.Message}");
            return InvalidConfiguration;
        }
        catch (InputUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"cofi: {e.Message}");
            return BatchRunner.NoValidInput;
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"cofi: cofi.web.port: {e.Message} (choose another with --port or {Web.WebSettings.PortVariable}; 0 picks a free one)");
            return InvalidConfiguration;
        }
        catch (DatabaseBusyException e)
        {
            await Console.Error.WriteLineAsync($"cofi: {e.Message}");
            return DatabaseBusy;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"cofi: unexpected error: {e.GetType().Name}: {e.Message}");
            await Console.Error.WriteLineAsync(e.ToString());
            return UnexpectedError;
        }
    }
}
