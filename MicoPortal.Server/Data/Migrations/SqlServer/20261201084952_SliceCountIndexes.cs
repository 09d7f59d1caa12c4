using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class SliceCountIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_Stuck",
                table: "Orders");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Stuck",
                table: "Orders",
                columns: new[] { "Stuck", "Sku", "Region" },
                filter: "[Stuck] = 1");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Unknown",
                table: "Orders",
                columns: new[] { "Status", "Sku", "Region" },
                filter: "[Status] = 'Unknown'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_Stuck",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Unknown",
                table: "Orders");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Stuck",
                table: "Orders",
                column: "Stuck",
                filter: "[Stuck] = 1");
        }
    }
}
