using System.Data.Common;
using Cofi.Actors.Persistence;
using Cofi.Management;

namespace Cofi.Host.Web.Readiness;

/// <summary>The coordinator's database (journal and read model) takes a connection and answers a query.</summary>
public sealed class DatabaseCheck(DatabaseSettings database) : IReadinessCheck
{
    public string Name => "database";

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = database.ReadModel.OpenRawConnection();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (DbException e)
        {
            return $"{database.Description} does not answer: {e.Message}";
        }
    }
}
