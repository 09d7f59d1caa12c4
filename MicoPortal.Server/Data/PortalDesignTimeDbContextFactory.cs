using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MicoPortal.Server.Data;

/// <summary>
/// What <c>dotnet ef</c> builds the context with. The provider comes from the environment
/// variable <c>MICOPORTAL_DB_PROVIDER</c> (Sqlite, SqlServer, PostgreSql; default Sqlite), so one
/// migration is added to each provider's set in turn (README, "Adding a migration"). Scaffolding
/// never connects; the placeholder connection strings only pick the provider's SQL dialect.
/// <c>MICOPORTAL_DB_CONNECTION</c> overrides them, for <c>dotnet ef database update</c>.
/// </summary>
public sealed class PortalDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public const string ProviderVariable = "MICOPORTAL_DB_PROVIDER";
    public const string ConnectionVariable = "MICOPORTAL_DB_CONNECTION";

    public PortalDbContext CreateDbContext(string[] args)
    {
        var name = Environment.GetEnvironmentVariable(ProviderVariable);
        var provider = string.IsNullOrWhiteSpace(name) ? DatabaseProvider.Sqlite : Enum.Parse<DatabaseProvider>(name, ignoreCase: true);
        var connectionString = Environment.GetEnvironmentVariable(ConnectionVariable) ?? provider switch
        {
            DatabaseProvider.SqlServer => "Server=localhost;Database=MicoPortal;Integrated Security=true;TrustServerCertificate=true",
            DatabaseProvider.PostgreSql => "Host=localhost;Database=micoportal;Username=micoportal",
            _ => "Data Source=design-time.db",
        };
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalDatabase(provider, connectionString);
        return new PortalDbContext(options.Options);
    }
}
