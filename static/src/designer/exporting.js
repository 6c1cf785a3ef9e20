// Export: the ASL as a .asl.json file, or the graph as an SVG or PNG picture.

function download(href, filename) {
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

export async function exportMachine(format, { name, text, graph }) {
  if (format === "json") {
    // the text as it is (byte for byte when unchanged), ending in a newline
    const file = text.endsWith("\n") ? text : text + "\n";
    const url = URL.createObjectURL(new Blob([file], { type: "application/json" }));
    download(url, `${name}.asl.json`);
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    return;
  }
  download(await graph.exportImage(format), `${name}.${format}`);
}
