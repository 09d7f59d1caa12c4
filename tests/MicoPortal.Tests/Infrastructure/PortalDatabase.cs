using MicoPortal.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>Reads the SQLite database of a portal running in another process (or killed), straight from its data directory.</summary>
public static class PortalDatabase
{
    public static async Task<T> ReadAsync<T>(string dataDirectory, Func<PortalDbContext, Task<T>> read)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "micoportal.db")}").Options;
        await using var db = new PortalDbContext(options);
        return await read(db);
    }
}
