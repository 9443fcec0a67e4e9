import { api } from '../api.js';

/**
 * Asks the analyst where to save the graph image, then renders it and has main write it.
 * Returns the saved path, or null when the analyst cancelled the dialog. `render` runs only after
 * a file was chosen, because drawing a large graph at twice its size takes a moment.
 */
export async function saveGraphImage(render: () => string): Promise<string | null> {
  const { files } = await api().dialogs.choose({ purpose: 'save-image', defaultName: 'graph.png' });
  const file = files[0];
  if (!file) return null;
  const saved = await api().exports.saveImage({ out: file.token, png: render() });
  return saved.path;
}
