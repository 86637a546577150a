package offheap

import "testing"

func TestWords(t *testing.T) {
	w, free := Words(1000)
	if len(w) != 0 || cap(w) != 1000 {
		t.Fatalf("len %d cap %d, want 0 and 1000", len(w), cap(w))
	}
	for i := range 1000 {
		w = append(w, uint64(i)*3)
	}
	for i, v := range w {
		if v != uint64(i)*3 {
			t.Fatalf("word %d = %d", i, v)
		}
	}
	free()
	if w, free := Words(0); w != nil {
		t.Errorf("Words(0) = %v", w)
	} else {
		free()
	}
}
