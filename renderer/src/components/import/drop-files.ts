import { ref, type Ref } from 'vue';

/** True when a drag carries files (not text or a link dragged from the page). */
export function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

export interface FileDrop {
  /** True while files are dragged over the target, for a drop hint. */
  dropping: Ref<boolean>;
  onDragOver(event: DragEvent): void;
  onDragLeave(event: DragEvent): void;
  onDrop(event: DragEvent): void;
}

/**
 * Drag-and-drop handlers for files. A drop that another handler already took
 * (`defaultPrevented`) is left alone, and a drop without files is ignored.
 */
export function useFileDrop(onFiles: (files: File[]) => void): FileDrop {
  const dropping = ref(false);

  function onDragOver(event: DragEvent): void {
    if (!hasFiles(event) || event.defaultPrevented) return;
    event.preventDefault();
    dropping.value = true;
  }

  function onDragLeave(event: DragEvent): void {
    // Moving onto a child element fires dragleave too; only leaving the window ends the hint.
    if (event.relatedTarget === null) dropping.value = false;
  }

  function onDrop(event: DragEvent): void {
    dropping.value = false;
    if (!hasFiles(event) || event.defaultPrevented) return;
    event.preventDefault();
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length > 0) onFiles(files);
  }

  return { dropping, onDragOver, onDragLeave, onDrop };
}
